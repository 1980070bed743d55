package io.dpo4j.core.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON readers loading uses, and how values are shown in messages. */
final class JsonValues {

    /** Longest value shown in a message before it is cut with "…". */
    static final int SHOWN_CHARS = 60;

    private JsonValues() {
    }

    // Long texts are truncated at tokenisation, never rejected here: lift Jackson's 20M-char cap.
    private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
            .maxStringLength(Integer.MAX_VALUE).build();

    /** Reads one row: duplicate keys and trailing content are errors. */
    static final ObjectMapper STRICT = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(CONSTRAINTS).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    /** Finds the element boundaries of a JSON array file (rows are then re-read with {@link #STRICT}). */
    static final JsonFactory LENIENT = JsonFactory.builder().streamReadConstraints(CONSTRAINTS).build();

    /** E.g. {@code a number (42)}, {@code a string ("abc…")}, {@code null}. */
    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isNull()) {
            return "null";
        }
        return typeName(node) + " (" + abbreviate(node.toString()) + ")";
    }

    /** E.g. {@code a number}, {@code a list}, {@code an object}. */
    static String typeName(JsonNode node) {
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isNumber()) {
            return "a number";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "an object";
        }
        if (node.isNull()) {
            return "null";
        }
        return "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The first {@value #SHOWN_CHARS} characters and "…" when longer; control characters escaped. */
    static String abbreviate(String text) {
        return abbreviate(text, SHOWN_CHARS);
    }

    /** The first {@code limit} characters and "…" when longer; control characters escaped. */
    static String abbreviate(String text, int limit) {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < text.length() && shown < limit; i++, shown++) {
            char c = text.charAt(i);
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > limit) {
            // Never end on half a surrogate pair.
            if (Character.isHighSurrogate(out.charAt(out.length() - 1))) {
                out.setLength(out.length() - 1);
            }
            out.append('…');
        }
        return out.toString();
    }
}
