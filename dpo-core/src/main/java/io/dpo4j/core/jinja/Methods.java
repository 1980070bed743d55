package io.dpo4j.core.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The methods templates call on strings, dicts and lists — Python's, with Python's arguments
 * ({@code strip(chars)}, {@code split(sep, maxsplit)}, {@code get(key, default)}, …). Methods that
 * change a value in place are absent, as in transformers' immutable sandbox.
 */
final class Methods {

    private Methods() {
    }

    /** The bound method, or null when the value has no method of that name. */
    static JinjaCallable bind(Object obj, String name) {
        if (obj instanceof String s) {
            return string(s, name);
        }
        if (obj instanceof Map<?, ?> m) {
            return dict(m, name);
        }
        if (obj instanceof List<?> l) {
            return list(l, name);
        }
        return null;
    }

    private static Object arg(List<Object> args, Map<String, Object> kw, int i, String name, Object otherwise) {
        if (i < args.size()) {
            return args.get(i);
        }
        return kw.containsKey(name) ? kw.get(name) : otherwise;
    }

    private static String optString(Interpreter in, Object v, String what) {
        if (v == null || v instanceof Undefined) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        throw in.fail(what + " must be a string or None, not " + Values.typeName(v));
    }

    private static String string(Interpreter in, Object v, String what) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Undefined u) {
            throw in.fail(u.message());
        }
        throw in.fail(what + " must be a string, not " + Values.typeName(v));
    }

    private static List<String> prefixes(Interpreter in, Object v, String method) {
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object x : l) {
                out.add(string(in, x, method + "'s argument"));
            }
        } else {
            out.add(string(in, v, method + "'s argument"));
        }
        return out;
    }

    private static JinjaCallable string(String s, String name) {
        return switch (name) {
            case "strip" -> (in, a, kw) -> PyStrings.strip(s, optString(in, arg(a, kw, 0, "chars", null), "strip()"));
            case "lstrip" -> (in, a, kw) -> PyStrings.lstrip(s, optString(in, arg(a, kw, 0, "chars", null), "lstrip()"));
            case "rstrip" -> (in, a, kw) -> PyStrings.rstrip(s, optString(in, arg(a, kw, 0, "chars", null), "rstrip()"));
            case "split", "rsplit" -> (in, a, kw) -> {
                String sep = optString(in, arg(a, kw, 0, "sep", null), name + "()");
                long max = in.integer(arg(a, kw, 1, "maxsplit", -1L), name + "()'s maxsplit");
                if (sep != null && sep.isEmpty()) {
                    throw in.fail("empty separator");
                }
                return name.equals("split") ? PyStrings.split(s, sep, max) : PyStrings.rsplit(s, sep, max);
            };
            case "splitlines" -> (in, a, kw) -> PyStrings.splitlines(s);
            case "startswith", "endswith" -> (in, a, kw) -> {
                if (a.isEmpty()) {
                    throw in.fail(name + "() takes at least 1 argument");
                }
                for (String p : prefixes(in, a.get(0), name)) {
                    if (name.equals("startswith") ? s.startsWith(p) : s.endsWith(p)) {
                        return true;
                    }
                }
                return false;
            };
            case "upper" -> (in, a, kw) -> PyStrings.upper(s);
            case "lower" -> (in, a, kw) -> PyStrings.lower(s);
            case "title" -> (in, a, kw) -> PyStrings.title(s);
            case "capitalize" -> (in, a, kw) -> PyStrings.capitalize(s);
            case "replace" -> (in, a, kw) -> {
                if (a.size() < 2) {
                    throw in.fail("replace() takes at least 2 arguments");
                }
                long count = in.integer(arg(a, kw, 2, "count", -1L), "replace()'s count");
                String out = PyStrings.replace(s, string(in, a.get(0), "replace()'s old"), string(in, a.get(1),
                        "replace()'s new"), count);
                return in.checked(out);
            };
            case "find", "rfind", "index", "rindex" -> (in, a, kw) -> {
                if (a.isEmpty()) {
                    throw in.fail(name + "() takes at least 1 argument");
                }
                String sub = string(in, a.get(0), name + "()'s argument");
                int at = name.startsWith("r") ? s.lastIndexOf(sub) : s.indexOf(sub);
                if (at < 0 && name.contains("index")) {
                    throw in.fail("substring not found");
                }
                return (long) (at < 0 ? -1 : s.codePointCount(0, at));
            };
            case "count" -> (in, a, kw) -> {
                String sub = string(in, a.isEmpty() ? null : a.get(0), "count()'s argument");
                if (sub.isEmpty()) {
                    return (long) PyStrings.length(s) + 1;
                }
                long c = 0;
                for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
                    c++;
                }
                return c;
            };
            case "join" -> (in, a, kw) -> {
                StringBuilder b = new StringBuilder();
                List<Object> items = in.iterate(a.isEmpty() ? null : a.get(0));
                for (int i = 0; i < items.size(); i++) {
                    b.append(i == 0 ? "" : s).append(string(in, items.get(i), "join()'s item"));
                    if (b.length() > in.maxOutputChars()) {
                        in.checked(b.toString());
                    }
                }
                return b.toString();
            };
            case "format" -> (in, a, kw) -> in.checked(format(in, s, a, kw));
            case "removeprefix" -> (in, a, kw) -> {
                String p = string(in, a.isEmpty() ? null : a.get(0), "removeprefix()'s argument");
                return s.startsWith(p) ? s.substring(p.length()) : s;
            };
            case "removesuffix" -> (in, a, kw) -> {
                String p = string(in, a.isEmpty() ? null : a.get(0), "removesuffix()'s argument");
                return s.endsWith(p) && !p.isEmpty() ? s.substring(0, s.length() - p.length()) : s;
            };
            case "isdigit" -> (in, a, kw) -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> (in, a, kw) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> (in, a, kw) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> (in, a, kw) -> !s.isEmpty() && s.codePoints().allMatch(PyStrings::isSpace);
            case "islower" -> (in, a, kw) -> s.codePoints().anyMatch(Character::isLowerCase)
                    && s.equals(PyStrings.lower(s));
            case "isupper" -> (in, a, kw) -> s.codePoints().anyMatch(Character::isUpperCase)
                    && s.equals(PyStrings.upper(s));
            default -> null;
        };
    }

    /** {@code str.format} with {@code {}}, {@code {0}} and {@code {name}} fields (no format specs). */
    private static String format(Interpreter in, String s, List<Object> args, Map<String, Object> kw) {
        StringBuilder b = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                b.append('{');
                i++;
            } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                b.append('}');
                i++;
            } else if (c == '{') {
                int end = s.indexOf('}', i);
                if (end < 0) {
                    throw in.fail("single '{' encountered in format string");
                }
                String field = s.substring(i + 1, end);
                if (field.contains(":") || field.contains("!")) {
                    throw in.fail("format specifications in str.format are not supported: {" + field + "}");
                }
                Object v;
                if (field.isEmpty()) {
                    if (auto >= args.size()) {
                        throw in.fail("str.format: not enough positional arguments");
                    }
                    v = args.get(auto++);
                } else if (field.chars().allMatch(Character::isDigit)) {
                    int k = Integer.parseInt(field);
                    if (k >= args.size()) {
                        throw in.fail("str.format: no positional argument " + k);
                    }
                    v = args.get(k);
                } else {
                    if (!kw.containsKey(field)) {
                        throw in.fail("str.format: no keyword argument '" + field + "'");
                    }
                    v = kw.get(field);
                }
                b.append(Values.str(v));
                i = end;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static JinjaCallable dict(Map<?, ?> m, String name) {
        return switch (name) {
            case "items" -> (in, a, kw) -> {
                List<Object> out = new ArrayList<>(m.size());
                m.forEach((k, v) -> out.add(pair(k, v)));
                return out;
            };
            case "keys" -> (in, a, kw) -> new ArrayList<Object>(m.keySet());
            case "values" -> (in, a, kw) -> new ArrayList<Object>(m.values());
            case "get" -> (in, a, kw) -> {
                if (a.isEmpty()) {
                    throw in.fail("get() takes at least 1 argument");
                }
                Object k = in.key(a.get(0));
                return m.containsKey(k) ? m.get(k) : a.size() > 1 ? a.get(1) : null;
            };
            default -> null;
        };
    }

    static List<Object> pair(Object k, Object v) {
        List<Object> p = new ArrayList<>(2);
        p.add(k);
        p.add(v);
        return p;
    }

    private static JinjaCallable list(List<?> l, String name) {
        return switch (name) {
            case "index" -> (in, a, kw) -> {
                for (int i = 0; i < l.size(); i++) {
                    if (!a.isEmpty() && Values.eq(l.get(i), a.get(0))) {
                        return (long) i;
                    }
                }
                throw in.fail("the value is not in the list");
            };
            case "count" -> (in, a, kw) -> {
                long c = 0;
                for (Object x : l) {
                    if (!a.isEmpty() && Values.eq(x, a.get(0))) {
                        c++;
                    }
                }
                return c;
            };
            default -> null;
        };
    }
}
