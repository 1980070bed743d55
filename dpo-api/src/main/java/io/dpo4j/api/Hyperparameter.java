package io.dpo4j.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The declaration of one hyperparameter: its snake_case name, type, default, valid range and a
 * one-line description. Objectives publish a list of these; configuration is validated against it.
 *
 * @param name snake_case name, as written in configuration files ({@code beta}, {@code label_smoothing})
 * @param type the value type
 * @param defaultValue the default ({@link Double} for REAL, {@link Boolean} for FLAG)
 * @param range the valid range for REAL values ({@link Range#any()} for flags)
 * @param description one line for {@code dpo objectives} and the docs
 */
public record Hyperparameter(String name, Type type, Object defaultValue, Range range, String description) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    /** Value types a hyperparameter can have. */
    public enum Type {
        /** A finite real number, checked against the range. */
        REAL,
        /** A boolean switch. */
        FLAG
    }

    public Hyperparameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(description, "description");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("hyperparameter name '" + name + "' must be snake_case ([a-z][a-z0-9_]*)");
        }
        if (type == Type.REAL) {
            if (!(defaultValue instanceof Double d) || !range.contains(d)) {
                throw new IllegalArgumentException("default of '" + name + "' (" + defaultValue
                        + ") must be a double " + range.describe());
            }
        } else if (!(defaultValue instanceof Boolean)) {
            throw new IllegalArgumentException("default of flag '" + name + "' must be a Boolean");
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

    /** The rule a value must satisfy, in words. */
    public String rule() {
        return type == Type.FLAG ? "true or false" : range.describe();
    }

    /** The default, formatted as a user would write it. */
    public String defaultText() {
        return type == Type.REAL ? Range.format((Double) defaultValue) : defaultValue.toString();
    }
}
