package io.dpo4j.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.core.DpoException;
import java.util.ArrayList;
import java.util.List;

/** Typed reads of {@code config.json} fields whose errors name the file, the field and the value. */
final class ConfigFields {

    private final JsonNode json;
    private final String source;

    ConfigFields(JsonNode json, String source) {
        this.json = json;
        this.source = source;
    }

    JsonNode json() {
        return json;
    }

    boolean present(String field) {
        JsonNode n = json.get(field);
        return n != null && !n.isNull();
    }

    JsonNode node(String field) {
        JsonNode n = json.get(field);
        return n == null || n.isNull() ? null : n;
    }

    int requiredPositiveInt(String field) {
        if (!present(field)) {
            throw error("field " + field + " is missing");
        }
        return positiveInt(field, 0);
    }

    int positiveInt(String field, int defaultValue) {
        JsonNode n = node(field);
        if (n == null) {
            return defaultValue;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() <= 0) {
            throw error(field + " = " + n + ": expected a positive integer");
        }
        return n.asInt();
    }

    double positiveDouble(String field, double defaultValue) {
        JsonNode n = node(field);
        if (n == null) {
            return defaultValue;
        }
        if (!n.isNumber() || !(n.asDouble() > 0) || Double.isInfinite(n.asDouble())) {
            throw error(field + " = " + n + ": expected a positive number");
        }
        return n.asDouble();
    }

    double number(String field, double defaultValue) {
        JsonNode n = node(field);
        if (n == null) {
            return defaultValue;
        }
        if (!n.isNumber()) {
            throw error(field + " = " + n + ": expected a number");
        }
        return n.asDouble();
    }

    boolean bool(String field, boolean defaultValue) {
        JsonNode n = node(field);
        if (n == null) {
            return defaultValue;
        }
        if (!n.isBoolean()) {
            throw error(field + " = " + n + ": expected true or false");
        }
        return n.asBoolean();
    }

    String text(String field, String defaultValue) {
        JsonNode n = node(field);
        if (n == null) {
            return defaultValue;
        }
        if (!n.isTextual()) {
            throw error(field + " = " + n + ": expected a string");
        }
        return n.asText();
    }

    /** A token id field: absent/null, one integer, or a list of integers. */
    List<Integer> tokenIds(String field) {
        JsonNode n = node(field);
        List<Integer> ids = new ArrayList<>();
        if (n == null) {
            return ids;
        }
        if (n.isArray()) {
            for (JsonNode e : n) {
                ids.add(tokenId(field, e));
            }
        } else {
            ids.add(tokenId(field, n));
        }
        return ids;
    }

    private int tokenId(String field, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
            throw error(field + " = " + n + ": expected a token id (a non-negative integer) or a list of them");
        }
        return n.asInt();
    }

    DpoException error(String problem) {
        return new DpoException(source + ": " + problem);
    }
}
