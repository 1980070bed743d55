package io.dpo4j.core.jinja;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Python's semantics for the values of a template: truth, {@code str}, {@code repr}, equality, order. */
final class Values {

    private Values() {
    }

    static boolean truthy(Object v) {
        if (v == null || v instanceof Undefined) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Python's {@code str(v)} (an undefined value is empty). */
    static String str(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v == null) {
            return "None";
        }
        if (v instanceof Undefined) {
            return "";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Long l) {
            return l.toString();
        }
        if (v instanceof Double d) {
            return floatRepr(d);
        }
        return repr(v);
    }

    /** Python's {@code repr(v)}. */
    static String repr(Object v) {
        if (v instanceof String s) {
            return PyStrings.repr(s);
        }
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(repr(l.get(i)));
            }
            return b.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                first = false;
            }
            return b.append('}').toString();
        }
        if (v instanceof Namespace n) {
            return "<Namespace " + repr(n.values) + ">";
        }
        if (v instanceof JinjaCallable) {
            return "<function>";
        }
        if (v instanceof LoopInfo) {
            return "<LoopContext>";
        }
        return str(v);
    }

    /** Python's {@code repr} of a float: the shortest digits, positional for exponents -4 to 15. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal b = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = b.unscaledValue().toString();
        int exponent = digits.length() - b.scale() - 1;
        String sign = d < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = b.toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "")
                + Math.abs(exponent);
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static double toDouble(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return ((Number) v).doubleValue();
    }

    static boolean isIntegral(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long toLong(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return (Long) v;
    }

    /** Python's {@code ==}. */
    static boolean eq(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            if (isIntegral(a) && isIntegral(b)) {
                return toLong(a) == toLong(b);
            }
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    /** Python's ordering of numbers, strings and lists; null when the values cannot be ordered. */
    static Integer compare(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            if (isIntegral(a) && isIntegral(b)) {
                return Long.compare(toLong(a), toLong(b));
            }
            return Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return compareCodePoints(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return compare(x.get(i), y.get(i));
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        return null;
    }

    private static int compareCodePoints(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i);
            int b = y.codePointAt(j);
            if (a != b) {
                return Integer.compare(a, b);
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Integer.compare(x.length() - i, y.length() - j);
    }

    /** Python's type name, for messages. */
    static String typeName(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Long) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Map) {
            return "dict";
        }
        if (v instanceof Undefined) {
            return "Undefined";
        }
        if (v instanceof Namespace) {
            return "Namespace";
        }
        if (v instanceof LoopInfo) {
            return "LoopContext";
        }
        return "function";
    }

    /** A shallow copy of a list, for results the template may not change in place. */
    static List<Object> copy(List<?> items) {
        return new ArrayList<>(items);
    }
}
