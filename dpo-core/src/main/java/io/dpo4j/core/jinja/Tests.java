package io.dpo4j.core.jinja;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** jinja2's tests ({@code x is defined}, {@code x is string}, …). */
final class Tests {

    static final Set<String> NAMES = Set.of("defined", "undefined", "none", "boolean", "false", "true", "integer", "float",
            "number", "string", "mapping", "iterable", "sequence", "callable", "sameas", "eq", "equalto", "ne", "lt",
            "le", "gt", "ge", "greaterthan", "lessthan", "in", "odd", "even", "divisibleby", "lower", "upper", "escaped");

    private Tests() {
    }

    static boolean test(Interpreter in, String name, Object v, List<Object> args) {
        Object a = args.isEmpty() ? null : args.get(0);
        if (!args.isEmpty() || name.equals("defined") || name.equals("undefined")) {
            if (v instanceof Undefined && !name.equals("defined") && !name.equals("undefined") && !name.equals("eq")
                    && !name.equals("equalto") && !name.equals("ne") && !name.equals("sameas") && !name.equals("in")) {
                throw in.fail(((Undefined) v).message());
            }
        }
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "boolean" -> v instanceof Boolean;
            case "false" -> Boolean.FALSE.equals(v);
            case "true" -> Boolean.TRUE.equals(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "number" -> v instanceof Long || v instanceof Double || v instanceof Boolean;
            case "string" -> v instanceof String;
            case "mapping" -> v instanceof Map;
            case "iterable" -> v instanceof List || v instanceof Map || v instanceof String || v instanceof Undefined;
            case "sequence" -> v instanceof List || v instanceof Map || v instanceof String;
            case "callable" -> v instanceof JinjaCallable;
            case "sameas" -> v == a || (v instanceof Boolean && v.equals(a)) || (v == null && a == null);
            case "eq", "equalto" -> Values.eq(v, a);
            case "ne" -> !Values.eq(v, a);
            case "lt", "lessthan" -> Operators.compare(in, "<", v, a);
            case "le" -> Operators.compare(in, "<=", v, a);
            case "gt", "greaterthan" -> Operators.compare(in, ">", v, a);
            case "ge" -> Operators.compare(in, ">=", v, a);
            case "in" -> Operators.contains(in, a, v);
            case "odd" -> in.integer(v, "the value of 'odd'") % 2 != 0;
            case "even" -> in.integer(v, "the value of 'even'") % 2 == 0;
            case "divisibleby" -> {
                long d = in.integer(a, "divisibleby's argument");
                if (d == 0) {
                    throw in.fail("integer division or modulo by zero");
                }
                yield in.integer(v, "the value of 'divisibleby'") % d == 0;
            }
            case "lower" -> v instanceof String s && s.equals(PyStrings.lower(s));
            case "upper" -> v instanceof String s && s.equals(PyStrings.upper(s));
            case "escaped" -> false;
            default -> throw in.fail("unknown test '" + name + "'");
        };
    }
}
