package io.dpo4j.api;

/**
 * One invalid configuration field: where it is, the value found and the rule it breaks.
 *
 * @param field the field's name or path ({@code objective.beta}, {@code pairs[2].chosen_tokens})
 * @param value the offending value as written, or {@code null} when the field is missing
 * @param rule what the value must be, in words
 */
public record Violation(String field, Object value, String rule) {

    @Override
    public String toString() {
        return field + " = " + render(value) + ": " + rule;
    }

    private static String render(Object value) {
        if (value == null) {
            return "(missing)";
        }
        if (value instanceof CharSequence s) {
            return "\"" + s + "\"";
        }
        return String.valueOf(value);
    }
}
