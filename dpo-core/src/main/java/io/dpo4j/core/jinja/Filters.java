package io.dpo4j.core.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * jinja2's built-in filters that chat templates use, with transformers' {@code tojson}
 * ({@code json.dumps} with {@code ensure_ascii=False}). A filter not listed here is a syntax error
 * when the template is read, as in jinja2.
 */
final class Filters {

    static final Set<String> NAMES = Set.of("abs", "attr", "capitalize", "count", "d", "default", "dictsort", "e",
            "escape", "first", "float", "forceescape", "indent", "int", "items", "join", "last", "length", "list",
            "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select",
            "selectattr", "sort", "string", "sum", "title", "tojson", "trim", "unique", "upper", "wordcount", "format",
            "truncate", "center");

    /** jinja2's other built-in filters, which no chat template we know uses: refused with their own message. */
    static final Set<String> UNSUPPORTED = Set.of("batch", "filesizeformat", "groupby", "pprint", "random", "slice",
            "striptags", "urlencode", "urlize", "wordwrap", "xmlattr");

    private Filters() {
    }

    private static Object arg(List<Object> args, Map<String, Object> kw, int i, String name, Object otherwise) {
        if (i < args.size()) {
            return args.get(i);
        }
        return kw.containsKey(name) ? kw.get(name) : otherwise;
    }

    static Object apply(Interpreter in, String name, Object v, List<Object> args, Map<String, Object> kw) {
        switch (name) {
            case "abs":
                if (v instanceof Long l) {
                    return Math.abs(l);
                }
                if (v instanceof Double d) {
                    return Math.abs(d);
                }
                throw in.fail("abs: expected a number, not " + Values.typeName(v));
            case "attr":
                return in.attribute(v, Values.str(arg(args, kw, 0, "name", "")));
            case "capitalize":
                return PyStrings.capitalize(Values.str(v));
            case "count":
            case "length":
                if (v instanceof String s) {
                    return (long) PyStrings.length(s);
                }
                if (v instanceof List<?> l) {
                    return (long) l.size();
                }
                if (v instanceof Map<?, ?> m) {
                    return (long) m.size();
                }
                if (v instanceof Undefined) {
                    return 0L;
                }
                throw in.fail("object of type '" + Values.typeName(v) + "' has no len()");
            case "d":
            case "default": {
                Object otherwise = arg(args, kw, 0, "default_value", "");
                boolean bool = Values.truthy(arg(args, kw, 1, "boolean", false));
                return v instanceof Undefined || (bool && !Values.truthy(v)) ? otherwise : v;
            }
            case "dictsort": {
                if (!(v instanceof Map<?, ?> m)) {
                    throw in.fail("dictsort: expected a dict, not " + Values.typeName(v));
                }
                boolean byValue = "value".equals(arg(args, kw, 2, "by", "key"));
                boolean reverse = Values.truthy(arg(args, kw, 3, "reverse", false));
                List<Object> items = new ArrayList<>();
                m.forEach((k, x) -> items.add(Methods.pair(k, x)));
                items.sort((a, b) -> order(in, ((List<?>) a).get(byValue ? 1 : 0), ((List<?>) b).get(byValue ? 1 : 0),
                        false));
                if (reverse) {
                    java.util.Collections.reverse(items);
                }
                return items;
            }
            case "e":
            case "escape":
            case "forceescape":
                return escape(Values.str(v));
            case "first": {
                List<Object> items = in.iterate(v);
                return items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.get(0);
            }
            case "last": {
                List<Object> items = in.iterate(v);
                return items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.get(items.size() - 1);
            }
            case "float":
                try {
                    return v instanceof String s ? Double.parseDouble(s.strip()) : Values.isNumber(v)
                            ? Values.toDouble(v) : (Object) Values.toDouble(arg(args, kw, 0, "default", 0.0));
                } catch (NumberFormatException e) {
                    return arg(args, kw, 0, "default", 0.0);
                }
            case "int":
                if (Values.isIntegral(v)) {
                    return Values.toLong(v);
                }
                if (v instanceof Double d) {
                    return (long) (double) d;
                }
                try {
                    long base = in.integer(arg(args, kw, 1, "base", 10L), "int's base");
                    return Long.parseLong(Values.str(v).strip().replace("_", ""), (int) base);
                } catch (NumberFormatException e) {
                    try {
                        return (long) Double.parseDouble(Values.str(v).strip());
                    } catch (NumberFormatException f) {
                        return arg(args, kw, 0, "default", 0L);
                    }
                }
            case "indent":
                return in.checked(indent(in, Values.str(v), arg(args, kw, 0, "width", 4L),
                        Values.truthy(arg(args, kw, 1, "first", false)), Values.truthy(arg(args, kw, 2, "blank", false))));
            case "items": {
                if (v instanceof Undefined) {
                    return new ArrayList<>();
                }
                if (!(v instanceof Map<?, ?> m)) {
                    throw in.fail("items: expected a dict, not " + Values.typeName(v));
                }
                List<Object> out = new ArrayList<>();
                m.forEach((k, x) -> out.add(Methods.pair(k, x)));
                return out;
            }
            case "join": {
                String sep = Values.str(arg(args, kw, 0, "d", ""));
                Object attribute = arg(args, kw, 1, "attribute", null);
                StringBuilder b = new StringBuilder();
                List<Object> items = in.iterate(v);
                for (int i = 0; i < items.size(); i++) {
                    Object x = attribute == null ? items.get(i) : path(in, items.get(i), attribute);
                    b.append(i == 0 ? "" : sep).append(Values.str(x));
                    if (b.length() > in.maxOutputChars()) {
                        in.checked(b.toString());
                    }
                }
                return b.toString();
            }
            case "list":
                return in.iterate(v);
            case "lower":
                return PyStrings.lower(Values.str(v));
            case "upper":
                return PyStrings.upper(Values.str(v));
            case "map": {
                List<Object> out = new ArrayList<>();
                if (kw.containsKey("attribute")) {
                    Object attribute = kw.get("attribute");
                    boolean hasDefault = kw.containsKey("default");
                    for (Object x : in.iterate(v)) {
                        Object y = path(in, x, attribute);
                        out.add(hasDefault && y instanceof Undefined ? kw.get("default") : y);
                    }
                    return out;
                }
                if (args.isEmpty() || !(args.get(0) instanceof String filter)) {
                    throw in.fail("map: expected a filter name or attribute=");
                }
                if (!NAMES.contains(filter)) {
                    throw in.fail("map: unknown filter '" + filter + "'");
                }
                Map<String, Object> rest = new LinkedHashMap<>(kw);
                for (Object x : in.iterate(v)) {
                    out.add(apply(in, filter, x, args.subList(1, args.size()), rest));
                }
                return out;
            }
            case "max":
            case "min": {
                List<Object> items = in.iterate(v);
                if (items.isEmpty()) {
                    return new Undefined("No aggregated item, sequence was empty.");
                }
                Object attribute = arg(args, kw, 1, "attribute", null);
                Object best = items.get(0);
                for (Object x : items) {
                    Object a = attribute == null ? x : path(in, x, attribute);
                    Object b = attribute == null ? best : path(in, best, attribute);
                    int c = order(in, a, b, Values.truthy(arg(args, kw, 0, "case_sensitive", false)));
                    if (name.equals("max") ? c > 0 : c < 0) {
                        best = x;
                    }
                }
                return best;
            }
            case "select":
            case "reject":
            case "selectattr":
            case "rejectattr": {
                boolean attr = name.endsWith("attr");
                boolean keep = name.startsWith("select");
                List<Object> out = new ArrayList<>();
                int testAt = attr ? 1 : 0;
                Object attribute = attr ? arg(args, kw, 0, "attribute", null) : null;
                String test = args.size() > testAt ? Values.str(args.get(testAt)) : null;
                if (test != null && !Tests.NAMES.contains(test)) {
                    throw in.fail(name + ": unknown test '" + test + "'");
                }
                List<Object> testArgs = args.size() > testAt + 1 ? args.subList(testAt + 1, args.size()) : List.of();
                for (Object x : in.iterate(v)) {
                    Object y = attr ? path(in, x, attribute) : x;
                    boolean r = test == null ? Values.truthy(y) : Tests.test(in, test, y, testArgs);
                    if (r == keep) {
                        out.add(x);
                    }
                }
                return out;
            }
            case "replace": {
                if (args.size() < 2) {
                    throw in.fail("replace: expected the old and the new text");
                }
                Object count = arg(args, kw, 2, "count", null);
                return in.checked(PyStrings.replace(Values.str(v), Values.str(args.get(0)), Values.str(args.get(1)),
                        count == null ? -1 : in.integer(count, "replace's count")));
            }
            case "reverse":
                if (v instanceof String s) {
                    return new StringBuilder(s).reverse().toString();
                } else {
                    List<Object> items = in.iterate(v);
                    java.util.Collections.reverse(items);
                    return items;
                }
            case "round": {
                long precision = in.integer(arg(args, kw, 0, "precision", 0L), "round's precision");
                String method = Values.str(arg(args, kw, 1, "method", "common"));
                double x = Values.toDouble(v);
                double scale = Math.pow(10, precision);
                double r = switch (method) {
                    case "ceil" -> Math.ceil(x * scale) / scale;
                    case "floor" -> Math.floor(x * scale) / scale;
                    default -> new java.math.BigDecimal(Double.toString(x)).setScale((int) precision,
                            java.math.RoundingMode.HALF_UP).doubleValue();
                };
                return r;
            }
            case "safe":
                return v;
            case "sort": {
                boolean reverse = Values.truthy(arg(args, kw, 0, "reverse", false));
                boolean caseSensitive = Values.truthy(arg(args, kw, 1, "case_sensitive", false));
                Object attribute = arg(args, kw, 2, "attribute", null);
                List<Object> items = in.iterate(v);
                items.sort((a, b) -> order(in, attribute == null ? a : path(in, a, attribute),
                        attribute == null ? b : path(in, b, attribute), caseSensitive));
                if (reverse) {
                    java.util.Collections.reverse(items);
                }
                return items;
            }
            case "string":
                return Values.str(v);
            case "sum": {
                Object attribute = arg(args, kw, 0, "attribute", null);
                Object total = arg(args, kw, 1, "start", 0L);
                for (Object x : in.iterate(v)) {
                    total = Operators.binary(in, "+", total, attribute == null ? x : path(in, x, attribute));
                }
                return total;
            }
            case "title":
                return jinjaTitle(Values.str(v));
            case "tojson":
                return in.checked(Json.dumps(in, v, arg(args, kw, 1, "indent", null), kw.get("separators"),
                        Values.truthy(kw.getOrDefault("sort_keys", false)),
                        Values.truthy(kw.getOrDefault("ensure_ascii", arg(args, kw, 0, "ensure_ascii", false)))));
            case "trim": {
                Object chars = arg(args, kw, 0, "chars", null);
                return PyStrings.strip(Values.str(v), chars == null ? null : Values.str(chars));
            }
            case "unique": {
                Set<Object> seen = new LinkedHashSet<>();
                List<Object> out = new ArrayList<>();
                for (Object x : in.iterate(v)) {
                    Object k = x instanceof String s && !Values.truthy(arg(args, kw, 0, "case_sensitive", false))
                            ? PyStrings.lower(s) : x;
                    if (seen.add(k instanceof List || k instanceof Map ? Values.repr(k) : k)) {
                        out.add(x);
                    }
                }
                return out;
            }
            case "format":
                return in.checked(Operators.percentFormat(in, Values.str(v), args.size() == 1 ? args.get(0) : args));
            case "truncate": {
                String text = Values.str(v);
                long length = in.integer(arg(args, kw, 0, "length", 255L), "truncate's length");
                boolean killwords = Values.truthy(arg(args, kw, 1, "killwords", false));
                String end = Values.str(arg(args, kw, 2, "end", "..."));
                long leeway = in.integer(arg(args, kw, 3, "leeway", 5L), "truncate's leeway");
                if (PyStrings.length(text) <= length + leeway) {
                    return text;
                }
                List<Object> chars = PyStrings.characters(text);
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < Math.max(0, length - PyStrings.length(end)); i++) {
                    b.append((String) chars.get(i));
                }
                String cut = b.toString();
                if (!killwords) {
                    int space = cut.lastIndexOf(' ');
                    cut = space >= 0 ? cut.substring(0, space) : cut;
                }
                return cut + end;
            }
            case "center": {
                String text = Values.str(v);
                long width = in.integer(arg(args, kw, 0, "width", 80L), "center's width");
                long w = Math.min(width, 100_000);
                int pad = (int) Math.max(0, w - PyStrings.length(text));
                int left = (int) (pad / 2 + (pad & w & 1));
                return " ".repeat(left) + text + " ".repeat(pad - left);
            }
            case "wordcount":
                return (long) PyStrings.split(Values.str(v), null, -1).size();
            default:
                throw in.fail("unknown filter '" + name + "'");
        }
    }

    /** Sorting order; strings case-insensitively unless asked. */
    private static int order(Interpreter in, Object a, Object b, boolean caseSensitive) {
        if (!caseSensitive && a instanceof String x && b instanceof String y) {
            a = PyStrings.lower(x);
            b = PyStrings.lower(y);
        }
        Integer c = Values.compare(a, b);
        if (c == null) {
            throw in.fail("'<' not supported between instances of '" + Values.typeName(a) + "' and '" + Values.typeName(b)
                    + "'");
        }
        return c;
    }

    /** An attribute path like {@code "function.name"} (dots), as jinja2's attribute arguments allow. */
    private static Object path(Interpreter in, Object x, Object attribute) {
        Object cur = x;
        for (String part : Values.str(attribute).split("\\.")) {
            if (cur instanceof Undefined) {
                return cur;
            }
            cur = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? in.item(cur, Long.parseLong(part))
                    : in.item(cur, part);
        }
        return cur;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;")
                .replace("'", "&#39;");
    }

    /** jinja2's {@code indent} filter (3.x). */
    private static String indent(Interpreter in, String s, Object width, boolean first, boolean blank) {
        String indention = width instanceof String w ? w : " ".repeat((int) Math.max(0, Math.min(1000,
                in.integer(width, "indent's width"))));
        String text = s + "\n";
        List<Object> lines = PyStrings.splitlines(text);
        StringBuilder rv = new StringBuilder();
        if (blank) {
            for (int i = 0; i < lines.size(); i++) {
                rv.append(i == 0 ? "" : "\n" + indention).append((String) lines.get(i));
            }
        } else {
            rv.append(lines.isEmpty() ? "" : (String) lines.get(0));
            for (int i = 1; i < lines.size(); i++) {
                String l = (String) lines.get(i);
                rv.append('\n').append(l.isEmpty() ? l : indention + l);
            }
        }
        return first ? indention + rv : rv.toString();
    }

    /** jinja2's {@code title} filter: each word's first letter upper-cased, the rest lowered. */
    private static String jinjaTitle(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean start = true;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (start) {
                b.appendCodePoint(Character.toUpperCase(c));
            } else {
                b.append(new String(Character.toChars(c)).toLowerCase(java.util.Locale.ROOT));
            }
            start = PyStrings.isSpace(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
        }
        return b.toString();
    }
}
