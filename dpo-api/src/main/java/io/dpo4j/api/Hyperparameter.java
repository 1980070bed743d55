package io.dpo4j.api;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The declaration of one hyperparameter: its snake_case name, type, default, valid range and a
 * one-line description. Objectives publish a list of these; configuration is validated against it.
 *
 * @param name snake_case name, as written in configuration files ({@code beta}, {@code label_smoothing})
 * @param type the value type
 * @param defaultValue the default ({@link Double} for REAL, {@link Boolean} for FLAG, {@link String}
 *     for CHOICE)
 * @param range the valid range for REAL values ({@link Range#any()} for flags and choices)
 * @param description one line for {@code dpo objectives} and the docs
 * @param choices the allowed values of a CHOICE, in the order they are listed (empty otherwise)
 */
public record Hyperparameter(String name, Type type, Object defaultValue, Range range, String description,
        List<String> choices) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    /** Value types a hyperparameter can have. */
    public enum Type {
        /** A finite real number, checked against the range. */
        REAL,
        /** A boolean switch. */
        FLAG,
        /** One of a fixed list of lower-case names ({@code fdpo}'s {@code divergence}). */
        CHOICE
    }

    /** A REAL or FLAG hyperparameter (no choices). */
    public Hyperparameter(String name, Type type, Object defaultValue, Range range, String description) {
        this(name, type, defaultValue, range, description, List.of());
    }

    public Hyperparameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(description, "description");
        choices = List.copyOf(Objects.requireNonNull(choices, "choices"));
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("hyperparameter name '" + name + "' must be snake_case ([a-z][a-z0-9_]*)");
        }
        if (type == Type.REAL) {
            if (!(defaultValue instanceof Double d) || !range.contains(d)) {
                throw new IllegalArgumentException("default of '" + name + "' (" + defaultValue
                        + ") must be a double " + range.describe());
            }
        } else if (type == Type.FLAG) {
            if (!(defaultValue instanceof Boolean)) {
                throw new IllegalArgumentException("default of flag '" + name + "' must be a Boolean");
            }
        } else {
            if (choices.isEmpty()) {
                throw new IllegalArgumentException("choice '" + name + "' must list its allowed values");
            }
            for (String c : choices) {
                if (!NAME.matcher(c).matches()) {
                    throw new IllegalArgumentException("value '" + c + "' of choice '" + name
                            + "' must be snake_case ([a-z][a-z0-9_]*)");
                }
            }
            if (choices.stream().distinct().count() != choices.size()) {
                throw new IllegalArgumentException("choice '" + name + "' lists a value twice: " + choices);
            }
            if (!(defaultValue instanceof String d) || !choices.contains(d)) {
                throw new IllegalArgumentException("default of choice '" + name + "' (" + defaultValue
                        + ") must be one of " + choices);
            }
        }
        if (type != Type.CHOICE && !choices.isEmpty()) {
            throw new IllegalArgumentException("only a CHOICE hyperparameter lists choices ('" + name + "')");
        }
    }

    /** A real-valued hyperparameter. */
    public static Hyperparameter real(String name, double defaultValue, Range range, String description) {
        return new Hyperparameter(name, Type.REAL, defaultValue, range, description);
    }

    /** A boolean hyperparameter. */
    public static Hyperparameter flag(String name, boolean defaultValue, String description) {
        return new Hyperparameter(name, Type.FLAG, defaultValue, Range.any(), description);
    }

    /**
     * A hyperparameter whose value is one of a fixed list of snake_case names; validation rejects any
     * other value with the list and a "did you mean".
     */
    public static Hyperparameter choice(String name, String defaultValue, List<String> choices, String description) {
        return new Hyperparameter(name, Type.CHOICE, defaultValue, Range.any(), description, choices);
    }

    /** The rule a value must satisfy, in words. */
    public String rule() {
        return switch (type) {
            case FLAG -> "true or false";
            case CHOICE -> "one of " + String.join(", ", choices);
            case REAL -> range.describe();
        };
    }

    /** The default, formatted as a user would write it. */
    public String defaultText() {
        return type == Type.REAL ? Range.format((Double) defaultValue) : defaultValue.toString();
    }
}
