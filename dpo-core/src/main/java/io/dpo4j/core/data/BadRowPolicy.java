package io.dpo4j.core.data;

import io.dpo4j.core.DpoException;
import java.util.Locale;

/** What loading does with a row it cannot use ({@code on_bad_row}). */
public enum BadRowPolicy {
    /** Stop loading with a message naming the file, line, field, value and reason (the default). */
    ERROR,
    /** Drop the row, count it by reason and keep a few messages for the log. */
    SKIP;

    /** The lower-case name used in configuration files and messages. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a configuration value.
     *
     * @throws DpoException naming the value and the two choices
     */
    public static BadRowPolicy parse(String value) {
        for (BadRowPolicy p : values()) {
            if (p.label().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new DpoException("unknown on_bad_row policy '" + value + "'; use error or skip");
    }
}
