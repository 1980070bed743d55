package io.dpo4j.core.data;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What loading one file found.
 *
 * @param file the file as named by the user
 * @param format the format its rows were read as ({@link DataFormat#AUTO} when it had no usable row to tell)
 * @param jsonArray true for a JSON array file, false for JSON Lines
 * @param rowsRead non-blank rows (lines, or array elements)
 * @param kept rows that became examples
 * @param skipped rows dropped under {@code on_bad_row: skip}, by reason (unmodifiable)
 * @param ignoredFields fields present in some row that the format does not read, sorted (unmodifiable)
 */
public record FileReport(String file, DataFormat format, boolean jsonArray, long rowsRead, long kept,
        Map<BadRowReason, Long> skipped, List<String> ignoredFields) {

    public FileReport {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(format, "format");
        skipped = skipped.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(skipped));
        ignoredFields = List.copyOf(ignoredFields);
        if (kept < 0 || kept + skippedTotal(skipped) != rowsRead) {
            throw new IllegalArgumentException("kept + skipped must equal rows read");
        }
    }

    /** Rows skipped for any reason. */
    public long skippedTotal() {
        return skippedTotal(skipped);
    }

    private static long skippedTotal(Map<BadRowReason, Long> skipped) {
        return skipped.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * One line, e.g. {@code data/train.jsonl (JSON Lines, paired): 1000 rows, 997 kept, 3 skipped
     * (invalid JSON 2, empty text 1); ignored fields: score_chosen, source}.
     */
    public String summary() {
        StringBuilder s = new StringBuilder(file).append(" (").append(jsonArray ? "JSON array" : "JSON Lines");
        if (format != DataFormat.AUTO) {
            s.append(", ").append(format.label());
        }
        s.append("): ").append(rowsRead).append(rowsRead == 1 ? " row, " : " rows, ").append(kept).append(" kept");
        if (!skipped.isEmpty()) {
            s.append(", ").append(skippedTotal()).append(" skipped (").append(describe(skipped)).append(')');
        }
        if (!ignoredFields.isEmpty()) {
            s.append("; ignored fields: ").append(String.join(", ", ignoredFields));
        }
        return s.toString();
    }

    static String describe(Map<BadRowReason, Long> counts) {
        return counts.entrySet().stream().map(e -> e.getKey().description() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
