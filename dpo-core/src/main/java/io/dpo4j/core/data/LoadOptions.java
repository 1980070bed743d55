package io.dpo4j.core.data;

import io.dpo4j.core.DpoException;
import java.util.Objects;

/**
 * How data files are read.
 *
 * @param format the row format, or {@link DataFormat#AUTO} to detect it per file
 * @param onBadRow what to do with a row that cannot be used
 * @param maxRowBytes the longest row accepted, in bytes (in a JSON array: characters of one element);
 *     a longer one is a bad row, read past without being held in memory
 * @param maxFieldChars the longest text accepted in one field (a prompt, a response, a message's content)
 */
public record LoadOptions(DataFormat format, BadRowPolicy onBadRow, long maxRowBytes, int maxFieldChars) {

    /** Default of {@link #maxRowBytes}: 16 MiB. */
    public static final long DEFAULT_MAX_ROW_BYTES = 16L << 20;
    /** Default of {@link #maxFieldChars}: one million characters (a few hundred thousand tokens). */
    public static final int DEFAULT_MAX_FIELD_CHARS = 1_000_000;

    public LoadOptions {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(onBadRow, "onBadRow");
        if (maxRowBytes < 1 || maxRowBytes > Integer.MAX_VALUE - 64) {
            throw new DpoException("data.max_row_bytes = " + maxRowBytes + ": expected 1 to " + (Integer.MAX_VALUE - 64));
        }
        if (maxFieldChars < 1) {
            throw new DpoException("data.max_field_chars = " + maxFieldChars + ": expected at least 1");
        }
    }

    /** The given format and policy with the default limits. */
    public LoadOptions(DataFormat format, BadRowPolicy onBadRow) {
        this(format, onBadRow, DEFAULT_MAX_ROW_BYTES, DEFAULT_MAX_FIELD_CHARS);
    }

    /** {@code format: auto}, {@code on_bad_row: error}, default limits. */
    public static LoadOptions defaults() {
        return new LoadOptions(DataFormat.AUTO, BadRowPolicy.ERROR);
    }

    /** A copy with another format. */
    public LoadOptions withFormat(DataFormat newFormat) {
        return new LoadOptions(newFormat, onBadRow, maxRowBytes, maxFieldChars);
    }

    /** A copy with another bad-row policy. */
    public LoadOptions withOnBadRow(BadRowPolicy policy) {
        return new LoadOptions(format, policy, maxRowBytes, maxFieldChars);
    }

    /** A copy with other limits. */
    public LoadOptions withLimits(long newMaxRowBytes, int newMaxFieldChars) {
        return new LoadOptions(format, onBadRow, newMaxRowBytes, newMaxFieldChars);
    }
}
