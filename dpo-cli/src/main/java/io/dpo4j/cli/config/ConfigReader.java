package io.dpo4j.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.api.Range;
import io.dpo4j.api.Suggestions;
import io.dpo4j.api.Violation;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a configuration tree field by field, applying defaults and collecting every violation
 * (field path, value, rule) instead of stopping at the first. Unknown keys are violations with a
 * "did you mean". Call {@link #throwIfInvalid()} when done.
 */
public final class ConfigReader {

    private final String source;
    private final List<Violation> violations = new ArrayList<>();

    public ConfigReader(String source) {
        this.source = source;
    }

    /** The root section of a tree. */
    public Section root(JsonNode node) {
        return new Section("", node == null || node.isNull() ? JsonNodeFactory.instance.objectNode() : node);
    }

    /** A section at a given path (for items of lists). */
    public Section at(String path, JsonNode node) {
        return new Section(path, node == null || node.isNull() ? JsonNodeFactory.instance.objectNode() : node);
    }

    /** Records a violation. */
    public void violation(String field, Object value, String rule) {
        violations.add(new Violation(field, value, rule));
    }

    /** Every violation so far. */
    public List<Violation> violations() {
        return List.copyOf(violations);
    }

    /** Throws a {@link ConfigException} listing every violation, if there is any. */
    public void throwIfInvalid() {
        if (!violations.isEmpty()) {
            throw new ConfigException(source, violations);
        }
    }

    private static Object shown(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isNumber()) {
            return n.numberValue();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        String s = n.toString();
        return new Raw(s.length() > 60 ? s.substring(0, 60) + "…" : s);
    }

    /** A structured value shown as written (not quoted like a string). */
    private record Raw(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** One object of the tree; every accessor marks its key as known. */
    public final class Section {
        private final String path;
        private final JsonNode node;
        private final Set<String> known = new LinkedHashSet<>();

        Section(String path, JsonNode node) {
            this.path = path;
            this.node = node;
            if (!node.isObject()) {
                violation(path.isEmpty() ? "(top level)" : path, shown(node), "must be a mapping of key: value");
            }
        }

        private String field(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        private JsonNode get(String key) {
            known.add(key);
            JsonNode v = node.isObject() ? node.get(key) : null;
            return v == null || v.isNull() ? null : v;
        }

        /** Declares keys as known (for keys read conditionally), so misspellings get a "did you mean". */
        public Section accept(String... keys) {
            known.addAll(java.util.List.of(keys));
            return this;
        }

        /** True when the key is present with a non-null value. */
        public boolean has(String key) {
            return node.isObject() && node.get(key) != null && !node.get(key).isNull();
        }

        /** The dotted path of this section ({@code ""} for the root). */
        public String path() {
            return path;
        }

        /** A nested section (empty when absent, so every default applies). */
        public Section section(String key) {
            JsonNode v = get(key);
            return new Section(field(key), v == null ? JsonNodeFactory.instance.objectNode() : v);
        }

        /** A real number in {@code range}, or the default. */
        public double real(String key, double defaultValue, Range range) {
            JsonNode v = get(key);
            if (v == null) {
                return defaultValue;
            }
            Double d = asReal(v);
            if (d == null || !range.contains(d)) {
                violation(field(key), shown(v), "must be a number " + range.describe());
                return defaultValue;
            }
            return d;
        }

        /** An integer of at least {@code min}, or the default. */
        public int integer(String key, int defaultValue, int min) {
            Integer i = optionalInteger(key, min);
            return i == null ? defaultValue : i;
        }

        /** An integer of at least {@code min}, or {@code null} when absent. */
        public Integer optionalInteger(String key, int min) {
            JsonNode v = get(key);
            if (v == null) {
                return null;
            }
            Double d = asReal(v);
            if (d == null || d != Math.rint(d) || d < min || d > Integer.MAX_VALUE) {
                violation(field(key), shown(v), "must be an integer >= " + min);
                return null;
            }
            return d.intValue();
        }

        /** A boolean, or the default. */
        public boolean flag(String key, boolean defaultValue) {
            JsonNode v = get(key);
            if (v == null) {
                return defaultValue;
            }
            if (v.isBoolean()) {
                return v.asBoolean();
            }
            if (v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false"))) {
                return Boolean.parseBoolean(v.asText());
            }
            violation(field(key), shown(v), "must be true or false");
            return defaultValue;
        }

        /** A string, or the default (which may be {@code null}). */
        public String string(String key, String defaultValue) {
            JsonNode v = get(key);
            if (v == null) {
                return defaultValue;
            }
            if (!v.isValueNode()) {
                violation(field(key), shown(v), "must be a single value");
                return defaultValue;
            }
            String s = v.asText().trim();
            if (s.isEmpty()) {
                violation(field(key), "", "must not be empty");
                return defaultValue;
            }
            return s;
        }

        /** One of the lower-case names of {@code type}'s constants, or the default. */
        public <E extends Enum<E>> E choice(String key, E defaultValue, Class<E> type) {
            JsonNode v = get(key);
            if (v == null) {
                return defaultValue;
            }
            List<String> names = new ArrayList<>();
            // YAML reads true and false as booleans: a choice named "true" must accept them.
            boolean scalar = v.isTextual() || v.isBoolean();
            for (E e : type.getEnumConstants()) {
                String name = e.name().toLowerCase(Locale.ROOT);
                names.add(name);
                if (scalar && name.equals(v.asText().trim().toLowerCase(Locale.ROOT))) {
                    return e;
                }
            }
            violation(field(key), shown(v), "must be one of " + String.join(", ", names)
                    + (v.isTextual() ? Suggestions.didYouMean(v.asText(), names) : ""));
            return defaultValue;
        }

        /** A list of strings (a single string counts as a list of one); empty when absent. */
        public List<String> strings(String key) {
            JsonNode v = get(key);
            List<String> out = new ArrayList<>();
            if (v == null) {
                return out;
            }
            if (v.isTextual()) {
                out.add(v.asText());
                return out;
            }
            if (!v.isArray()) {
                violation(field(key), shown(v), "must be a string or a list of strings");
                return out;
            }
            for (int i = 0; i < v.size(); i++) {
                JsonNode e = v.get(i);
                if (!e.isTextual() || e.asText().isBlank()) {
                    violation(field(key) + "[" + i + "]", shown(e), "must be a non-empty string");
                } else {
                    out.add(e.asText());
                }
            }
            return out;
        }

        /** A list of exactly {@code size} numbers in {@code range}, or the default. */
        public double[] reals(String key, double[] defaultValue, int size, Range range) {
            JsonNode v = get(key);
            if (v == null) {
                return defaultValue.clone();
            }
            String rule = "must be a list of " + size + " numbers " + range.describe();
            if (!v.isArray() || v.size() != size) {
                violation(field(key), shown(v), rule);
                return defaultValue.clone();
            }
            double[] out = new double[size];
            for (int i = 0; i < size; i++) {
                Double d = asReal(v.get(i));
                if (d == null || !range.contains(d)) {
                    violation(field(key), shown(v), rule);
                    return defaultValue.clone();
                }
                out[i] = d;
            }
            return out;
        }

        /** A mapping of names to scalar values (numbers, booleans, strings), as given. */
        public Map<String, Object> scalars(String key) {
            JsonNode v = get(key);
            Map<String, Object> out = new LinkedHashMap<>();
            if (v == null) {
                return out;
            }
            if (!v.isObject()) {
                violation(field(key), shown(v), "must be a mapping of name: value");
                return out;
            }
            Iterator<Map.Entry<String, JsonNode>> it = v.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode x = e.getValue();
                if (x.isNumber()) {
                    out.put(e.getKey(), x.doubleValue());
                } else if (x.isBoolean()) {
                    out.put(e.getKey(), x.booleanValue());
                } else if (x.isTextual()) {
                    out.put(e.getKey(), x.asText());
                } else {
                    violation(field(key) + "." + e.getKey(), shown(x), "must be a number, a boolean or a string");
                }
            }
            return out;
        }

        /** The raw node of a key (marked as known), or {@code null}. */
        public JsonNode raw(String key) {
            return get(key);
        }

        /** Reports every key of this section that no accessor asked for, with a "did you mean". */
        public void rejectUnknownKeys() {
            if (!node.isObject()) {
                return;
            }
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String k = names.next();
                if (!known.contains(k)) {
                    violation(field(k), shown(node.get(k)), "unknown key" + Suggestions.didYouMean(k, known)
                            + "; known keys" + (path.isEmpty() ? "" : " of " + path) + ": " + String.join(", ", known));
                }
            }
        }

        /** The underlying node, for writing it back. */
        public JsonNode node() {
            return node;
        }
    }

    private static Double asReal(JsonNode v) {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** An empty object node, for building trees. */
    public static ObjectNode emptyObject() {
        return JsonNodeFactory.instance.objectNode();
    }
}
