package io.dpo4j.core.data;

import io.dpo4j.api.Suggestions;
import io.dpo4j.core.DpoException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The shape of the rows in a data file, named as in TRL's dataset formats. {@link #AUTO} decides per
 * file from the first row that has any of the fields {@code chosen}, {@code rejected},
 * {@code completion} or {@code label}.
 */
public enum DataFormat {
    /** Detect per file (the default). */
    AUTO,
    /** {@code prompt}, {@code chosen}, {@code rejected}: strings (or all lists of messages). */
    PAIRED,
    /** {@code chosen}, {@code rejected} only: the prompt is their shared beginning. */
    IMPLICIT_PROMPT,
    /** {@code chosen}, {@code rejected} as lists of messages; {@code prompt} a list of messages or absent. */
    CONVERSATIONAL,
    /** {@code prompt}, {@code completion}, {@code label} (a JSON boolean): KTO's data. */
    UNPAIRED;

    /** The lower-case name used in configuration files and messages. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for the formats whose rows are pairs. */
    public boolean isPaired() {
        return this == PAIRED || this == IMPLICIT_PROMPT || this == CONVERSATIONAL;
    }

    /**
     * Parses a configuration value.
     *
     * @throws DpoException naming the value and the known formats
     */
    public static DataFormat parse(String value) {
        List<String> labels = Arrays.stream(values()).map(DataFormat::label).toList();
        for (DataFormat f : values()) {
            if (f.label().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new DpoException("unknown data format '" + value + "'" + Suggestions.didYouMean(value, labels)
                + "; known formats: " + String.join(", ", labels));
    }
}
