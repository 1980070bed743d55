package io.dpo4j.core.data;

import java.util.Objects;

/**
 * How data files are read.
 *
 * @param format the row format, or {@link DataFormat#AUTO} to detect it per file
 * @param onBadRow what to do with a row that cannot be used
 */
public record LoadOptions(DataFormat format, BadRowPolicy onBadRow) {

    public LoadOptions {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(onBadRow, "onBadRow");
    }

    /** {@code format: auto}, {@code on_bad_row: error}. */
    public static LoadOptions defaults() {
        return new LoadOptions(DataFormat.AUTO, BadRowPolicy.ERROR);
    }

    /** A copy with another format. */
    public LoadOptions withFormat(DataFormat newFormat) {
        return new LoadOptions(newFormat, onBadRow);
    }

    /** A copy with another bad-row policy. */
    public LoadOptions withOnBadRow(BadRowPolicy policy) {
        return new LoadOptions(format, policy);
    }
}
