package io.dpo4j.core.data;

import io.dpo4j.core.DpoException;
import java.util.Locale;

/** What happens to an example over a length limit. */
public enum TruncationPolicy {
    /** Cut it: the prompt from the left first (keeping its end), then the responses from the right. */
    TRUNCATE,
    /** Drop it (counted, with example ids in the summary). */
    DROP;

    /** The lower-case name used in configuration files and messages. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a configuration value.
     *
     * @throws DpoException naming the value and the two choices
     */
    public static TruncationPolicy parse(String value) {
        for (TruncationPolicy p : values()) {
            if (p.label().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new DpoException("unknown truncation policy '" + value + "'; use truncate or drop");
    }
}
