package io.dpo4j.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Resolved, validated hyperparameter values of one configured objective: every declared parameter
 * has a value (the given one or the default). Immutable.
 */
public final class Hyperparameters {

    private final Map<String, Object> values;

    private Hyperparameters(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * Validates {@code given} against {@code specs} and fills in defaults. Accepts numbers, booleans
     * and their string forms ({@code "0.5"}, {@code "true"}), as they come from JSON, YAML or a
     * command line, and for a CHOICE one of its names (case-insensitive). Every problem is
     * collected and reported at once.
     *
     * @throws InvalidHyperparametersException naming every unknown, mistyped or out-of-range field
     */
    public static Hyperparameters resolve(String objectiveId, List<Hyperparameter> specs, Map<String, ?> given) {
        Map<String, Hyperparameter> byName = new LinkedHashMap<>();
        for (Hyperparameter spec : specs) {
            byName.put(spec.name(), spec);
        }
        List<Violation> violations = new ArrayList<>();
        for (String key : given.keySet()) {
            if (!byName.containsKey(key)) {
                String known = byName.isEmpty() ? "it takes no parameters" : "known: " + String.join(", ", byName.keySet());
                violations.add(new Violation(key, given.get(key),
                        "unknown parameter of '" + objectiveId + "'" + Suggestions.didYouMean(key, byName.keySet())
                                + "; " + known));
            }
        }
        Map<String, Object> resolved = new LinkedHashMap<>();
        for (Hyperparameter spec : specs) {
            if (!given.containsKey(spec.name())) {
                resolved.put(spec.name(), spec.defaultValue());
                continue;
            }
            Object raw = given.get(spec.name());
            if (spec.type() == Hyperparameter.Type.CHOICE) {
                String choice = toChoice(raw, spec.choices());
                if (choice == null) {
                    String typed = raw instanceof String s ? s : String.valueOf(raw);
                    violations.add(new Violation(spec.name(), raw, "must be " + spec.rule()
                            + Suggestions.didYouMean(typed, spec.choices())));
                } else {
                    resolved.put(spec.name(), choice);
                }
                continue;
            }
            Object value = spec.type() == Hyperparameter.Type.REAL ? toReal(raw) : toFlag(raw);
            if (value == null) {
                violations.add(new Violation(spec.name(), raw, "must be " + (spec.type() == Hyperparameter.Type.REAL
                        ? "a number " + spec.rule() : "true or false")));
            } else if (value instanceof Double d && !spec.range().contains(d)) {
                violations.add(new Violation(spec.name(), raw, "must be " + spec.rule()));
            } else {
                resolved.put(spec.name(), value);
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidHyperparametersException(objectiveId, violations);
        }
        return new Hyperparameters(resolved);
    }

    private static Double toReal(Object raw) {
        if (raw instanceof Number n) {
            return n.doubleValue();
        }
        if (raw instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** The allowed value {@code raw} names (exactly, ignoring surrounding blanks and case), or null. */
    private static String toChoice(Object raw, List<String> choices) {
        if (!(raw instanceof String s)) {
            return null;
        }
        String t = s.trim().toLowerCase(Locale.ROOT);
        return choices.contains(t) ? t : null;
    }

    private static Boolean toFlag(Object raw) {
        if (raw instanceof Boolean b) {
            return b;
        }
        if (raw instanceof String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (t.equals("true") || t.equals("false")) {
                return Boolean.valueOf(t);
            }
        }
        return null;
    }

    /** The value of a REAL parameter. */
    public double real(String name) {
        Object v = require(name);
        if (!(v instanceof Double d)) {
            throw new IllegalArgumentException("parameter '" + name + "' is not a real number");
        }
        return d;
    }

    /** The value of a FLAG parameter. */
    public boolean flag(String name) {
        Object v = require(name);
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("parameter '" + name + "' is not a flag");
        }
        return b;
    }

    /** The value of a CHOICE parameter: one of its declared names. */
    public String choice(String name) {
        Object v = require(name);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("parameter '" + name + "' is not a choice");
        }
        return s;
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'; known: " + values.keySet());
        }
        return v;
    }

    /** Every value by name, in declaration order (unmodifiable). */
    public Map<String, Object> asMap() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hyperparameters h && h.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
