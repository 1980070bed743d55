package io.dpo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The few fields of a {@code config.json} the data path needs, read without the model's architecture. */
final class ConfigJson {

    private ConfigJson() {
    }

    static JsonNode read(Path file, DpoException original) {
        try {
            JsonNode json = new ObjectMapper().readTree(file.toFile());
            if (json == null || !json.isObject()) {
                throw original;
            }
            return json;
        } catch (IOException e) {
            throw original;
        }
    }

    static int positive(JsonNode json, String field, Path file, DpoException original) {
        JsonNode v = json.get(field);
        if (v == null || !v.canConvertToInt() || v.asInt() < 1) {
            throw original;
        }
        return v.asInt();
    }

    static List<Integer> ids(JsonNode v) {
        List<Integer> out = new ArrayList<>();
        if (v != null && v.canConvertToInt()) {
            out.add(v.asInt());
        } else if (v != null && v.isArray()) {
            v.forEach(x -> {
                if (x.canConvertToInt()) {
                    out.add(x.asInt());
                }
            });
        }
        return out;
    }
}
