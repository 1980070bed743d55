package io.dpo4j.core.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Python's {@code json.dumps}, as transformers' {@code tojson} filter calls it ({@code ensure_ascii=False}). */
final class Json {

    private final Interpreter in;
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final boolean ensureAscii;
    private final StringBuilder out = new StringBuilder();

    private Json(Interpreter in, String indent, String itemSeparator, String keySeparator, boolean sortKeys,
            boolean ensureAscii) {
        this.in = in;
        this.indent = indent;
        this.itemSeparator = itemSeparator;
        this.keySeparator = keySeparator;
        this.sortKeys = sortKeys;
        this.ensureAscii = ensureAscii;
    }

    static String dumps(Interpreter in, Object value, Object indent, Object separators, boolean sortKeys,
            boolean ensureAscii) {
        String ind = null;
        if (indent instanceof Long n) {
            ind = " ".repeat((int) Math.max(0, Math.min(n, 1000)));
        } else if (indent instanceof String s) {
            ind = s;
        } else if (indent != null && !(indent instanceof Undefined)) {
            throw in.fail("tojson's indent must be an integer or a string");
        }
        String item = ind == null ? ", " : ",";
        String key = ": ";
        if (separators instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String a && l.get(1) instanceof String b) {
            item = a;
            key = b;
        } else if (separators != null && !(separators instanceof Undefined)) {
            throw in.fail("tojson's separators must be a pair of strings");
        }
        Json j = new Json(in, ind, item, key, sortKeys, ensureAscii);
        j.write(value, 0);
        return j.out.toString();
    }

    private void newline(int level) {
        if (indent != null) {
            out.append('\n');
            for (int i = 0; i < level; i++) {
                out.append(indent);
            }
        }
    }

    private void write(Object v, int level) {
        if (out.length() > in.maxOutputChars()) {
            in.checked(out.toString());
        }
        if (level > 500) {
            throw in.fail("tojson: the value nests too deeply");
        }
        if (v == null) {
            out.append("null");
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Long l) {
            out.append(l);
        } else if (v instanceof Double d) {
            out.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity")
                    : Values.floatRepr(d));
        } else if (v instanceof String s) {
            string(s);
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    out.append(itemSeparator);
                }
                newline(level + 1);
                write(l.get(i), level + 1);
            }
            newline(level);
            out.append(']');
        } else if (v instanceof Map<?, ?> || v instanceof Namespace) {
            Map<?, ?> m = v instanceof Namespace ns ? ns.values : (Map<?, ?>) v;
            if (m.isEmpty()) {
                out.append("{}");
                return;
            }
            List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
            if (v instanceof Namespace) {
                throw in.fail("Object of type Namespace is not JSON serializable");
            }
            if (sortKeys) {
                entries.sort((a, b) -> {
                    Integer c = Values.compare(a.getKey(), b.getKey());
                    if (c == null) {
                        throw in.fail("tojson(sort_keys=true): keys of different types cannot be sorted");
                    }
                    return c;
                });
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : entries) {
                if (!first) {
                    out.append(itemSeparator);
                }
                first = false;
                newline(level + 1);
                Object k = e.getKey();
                string(k instanceof String s ? s : k == null ? "null" : k instanceof Boolean b ? (b ? "true" : "false")
                        : Values.str(k));
                out.append(keySeparator);
                write(e.getValue(), level + 1);
            }
            newline(level);
            out.append('}');
        } else {
            throw in.fail("Object of type " + Values.typeName(v) + " is not JSON serializable");
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
