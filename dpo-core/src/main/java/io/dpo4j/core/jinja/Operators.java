package io.dpo4j.core.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Python's arithmetic, concatenation and comparison operators. */
final class Operators {

    private Operators() {
    }

    static Object binary(Interpreter in, String op, Object l, Object r) {
        if (op.equals("~")) {
            String a = Values.str(l);
            String b = Values.str(r);
            if ((long) a.length() + b.length() > in.maxOutputChars()) {
                throw in.limit("the template builds a text of more than " + in.maxOutputChars()
                        + " characters (the output size limit)");
            }
            return a.concat(b);
        }
        if (l instanceof Undefined u) {
            throw in.fail(u.message());
        }
        if (r instanceof Undefined u) {
            throw in.fail(u.message());
        }
        boolean numbers = Values.isNumber(l) && Values.isNumber(r);
        boolean integers = Values.isIntegral(l) && Values.isIntegral(r);
        try {
            switch (op) {
                case "+" -> {
                    if (integers) {
                        return Math.addExact(Values.toLong(l), Values.toLong(r));
                    }
                    if (numbers) {
                        return Values.toDouble(l) + Values.toDouble(r);
                    }
                    if (l instanceof String a && r instanceof String b) {
                        if ((long) a.length() + b.length() > in.maxOutputChars()) {
                            throw in.limit("the template builds a text of more than " + in.maxOutputChars()
                                    + " characters (the output size limit)");
                        }
                        return a.concat(b);
                    }
                    if (l instanceof List<?> a && r instanceof List<?> b) {
                        List<Object> out = new ArrayList<>(a);
                        out.addAll(b);
                        return out;
                    }
                }
                case "-" -> {
                    if (integers) {
                        return Math.subtractExact(Values.toLong(l), Values.toLong(r));
                    }
                    if (numbers) {
                        return Values.toDouble(l) - Values.toDouble(r);
                    }
                }
                case "*" -> {
                    if (integers) {
                        return Math.multiplyExact(Values.toLong(l), Values.toLong(r));
                    }
                    if (numbers) {
                        return Values.toDouble(l) * Values.toDouble(r);
                    }
                    if (l instanceof String s && Values.isIntegral(r)) {
                        return repeat(in, s, Values.toLong(r));
                    }
                    if (r instanceof String s && Values.isIntegral(l)) {
                        return repeat(in, s, Values.toLong(l));
                    }
                    if (l instanceof List<?> a && Values.isIntegral(r)) {
                        return repeat(in, a, Values.toLong(r));
                    }
                    if (r instanceof List<?> a && Values.isIntegral(l)) {
                        return repeat(in, a, Values.toLong(l));
                    }
                }
                case "/" -> {
                    if (numbers) {
                        if (Values.toDouble(r) == 0) {
                            throw in.fail("division by zero");
                        }
                        return Values.toDouble(l) / Values.toDouble(r);
                    }
                }
                case "//" -> {
                    if (integers) {
                        if (Values.toLong(r) == 0) {
                            throw in.fail("integer division or modulo by zero");
                        }
                        return Math.floorDiv(Values.toLong(l), Values.toLong(r));
                    }
                    if (numbers) {
                        if (Values.toDouble(r) == 0) {
                            throw in.fail("float floor division by zero");
                        }
                        return Math.floor(Values.toDouble(l) / Values.toDouble(r));
                    }
                }
                case "%" -> {
                    if (integers) {
                        if (Values.toLong(r) == 0) {
                            throw in.fail("integer division or modulo by zero");
                        }
                        return Math.floorMod(Values.toLong(l), Values.toLong(r));
                    }
                    if (numbers) {
                        double a = Values.toDouble(l);
                        double b = Values.toDouble(r);
                        if (b == 0) {
                            throw in.fail("float modulo by zero");
                        }
                        double m = a % b;
                        return m != 0 && (m < 0) != (b < 0) ? m + b : m;
                    }
                    if (l instanceof String format) {
                        return in.checked(percentFormat(in, format, r));
                    }
                }
                case "**" -> {
                    if (integers && Values.toLong(r) >= 0) {
                        long base = Values.toLong(l);
                        long e = Values.toLong(r);
                        long result = 1;
                        for (long i = 0; i < e; i++) {
                            result = Math.multiplyExact(result, base);
                            if (result == 0 || result == 1 && base == 1) {
                                break;
                            }
                        }
                        return result;
                    }
                    if (numbers) {
                        return Math.pow(Values.toDouble(l), Values.toDouble(r));
                    }
                }
                default -> throw in.fail("unknown operator " + op);
            }
        } catch (ArithmeticException e) {
            throw in.fail("integer overflow in " + op);
        }
        throw in.fail("unsupported operand type(s) for " + op + ": '" + Values.typeName(l) + "' and '" + Values.typeName(r)
                + "'");
    }

    private static String repeat(Interpreter in, String s, long times) {
        if (times <= 0 || s.isEmpty()) {
            return "";
        }
        if ((double) s.length() * times > limitOf(in)) {
            throw in.limit("the template builds a text of more than " + limitOf(in) + " characters (the output size limit)");
        }
        return s.repeat((int) times);
    }

    private static long limitOf(Interpreter in) {
        return in.maxOutputChars();
    }

    private static List<Object> repeat(Interpreter in, List<?> items, long times) {
        List<Object> out = new ArrayList<>();
        if (times <= 0) {
            return out;
        }
        if ((double) items.size() * times > Interpreter.MAX_RANGE) {
            throw in.limit("the template builds a list of more than " + Interpreter.MAX_RANGE + " items (the range limit)");
        }
        for (long i = 0; i < times; i++) {
            out.addAll(items);
        }
        return out;
    }

    /** {@code "%s" % value} and {@code "%s %d" % (a, b)}: the conversions s, r, d, i and %%. */
    static String percentFormat(Interpreter in, String format, Object args) {
        List<Object> values = args instanceof List<?> l ? Values.copy(l) : List.of(args);
        StringBuilder b = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                b.append(c);
                continue;
            }
            char conv = format.charAt(++i);
            if (conv == '%') {
                b.append('%');
                continue;
            }
            if (next >= values.size()) {
                throw in.fail("not enough arguments for format string");
            }
            Object v = values.get(next++);
            switch (conv) {
                case 's' -> b.append(Values.str(v));
                case 'r' -> b.append(Values.repr(v));
                case 'd', 'i' -> b.append(Values.isNumber(v) ? Long.toString((long) Values.toDouble(v)) : Values.str(v));
                default -> throw in.fail("unsupported format character '" + conv + "'");
            }
        }
        return b.toString();
    }

    static boolean compare(Interpreter in, String op, Object l, Object r) {
        switch (op) {
            case "==":
                return Values.eq(l, r);
            case "!=":
                return !Values.eq(l, r);
            case "in":
                return contains(in, r, l);
            case "not in":
                return !contains(in, r, l);
            default:
                break;
        }
        Integer c = Values.compare(l, r);
        if (c == null) {
            throw in.fail("'" + op + "' not supported between instances of '" + Values.typeName(l) + "' and '"
                    + Values.typeName(r) + "'");
        }
        return switch (op) {
            case "<" -> c < 0;
            case ">" -> c > 0;
            case "<=" -> c <= 0;
            default -> c >= 0;
        };
    }

    static boolean contains(Interpreter in, Object container, Object item) {
        if (container instanceof String s) {
            if (!(item instanceof String t)) {
                throw in.fail("'in <string>' requires string as left operand, not " + Values.typeName(item));
            }
            return s.contains(t);
        }
        if (container instanceof List<?> l) {
            for (Object x : l) {
                if (Values.eq(x, item)) {
                    return true;
                }
            }
            return false;
        }
        if (container instanceof Map<?, ?> m) {
            return m.containsKey(in.key(item));
        }
        if (container instanceof Namespace ns) {
            return ns.values.containsKey(Values.str(item));
        }
        if (container instanceof Undefined) {
            return false;
        }
        throw in.fail("argument of type '" + Values.typeName(container) + "' is not iterable");
    }
}
