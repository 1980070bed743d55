package io.dpo4j.core.data;

import io.dpo4j.api.DataLayout;
import io.dpo4j.api.DatasetSummary;
import io.dpo4j.core.DpoException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The examples read from a set of files, in file order, with counts that account for every
 * non-blank row: for each file, rows read = kept + skipped.
 */
public final class LoadResult {

    /** Most skip messages kept for the log. */
    public static final int MAX_SKIP_MESSAGES = 5;

    private final List<PreferenceExample> examples;
    private final List<FileReport> files;
    private final List<String> skipMessages;

    LoadResult(List<PreferenceExample> examples, List<FileReport> files, List<String> skipMessages) {
        this.examples = List.copyOf(examples);
        this.files = List.copyOf(files);
        this.skipMessages = List.copyOf(skipMessages);
    }

    /** Every example, in the order of the files and of their rows. */
    public List<PreferenceExample> examples() {
        return examples;
    }

    /** One report per file, in the order given. */
    public List<FileReport> files() {
        return files;
    }

    /** Up to {@value #MAX_SKIP_MESSAGES} messages of skipped rows, each naming file, line, field and reason. */
    public List<String> skipMessages() {
        return skipMessages;
    }

    /** Non-blank rows read over all files. */
    public long rowsRead() {
        return files.stream().mapToLong(FileReport::rowsRead).sum();
    }

    /** Rows that became examples. */
    public long kept() {
        return files.stream().mapToLong(FileReport::kept).sum();
    }

    /** Rows skipped over all files. */
    public long skipped() {
        return files.stream().mapToLong(FileReport::skippedTotal).sum();
    }

    /** Skipped rows by reason, over all files. */
    public Map<BadRowReason, Long> skippedByReason() {
        Map<BadRowReason, Long> total = new EnumMap<>(BadRowReason.class);
        for (FileReport f : files) {
            f.skipped().forEach((reason, n) -> total.merge(reason, n, Long::sum));
        }
        return total;
    }

    /** True when some example's prompt is a conversation (a chat template is then needed). */
    public boolean hasConversations() {
        return examples.stream().anyMatch(PreferenceExample::isConversation);
    }

    /**
     * A few lines for the log: the totals, one line per file, and up to five skip messages.
     */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append("data: ").append(rowsRead()).append(" rows read, ").append(kept()).append(" kept");
        if (skipped() > 0) {
            s.append(", ").append(skipped()).append(" skipped (").append(FileReport.describe(skippedByReason())).append(')');
        }
        s.append(" from ").append(files.size()).append(files.size() == 1 ? " file" : " files");
        for (FileReport f : files) {
            s.append("\n  ").append(f.summary());
        }
        if (!skipMessages.isEmpty()) {
            s.append("\n  skipped rows").append(skipped() > skipMessages.size() ? " (first " + skipMessages.size() + ")" : "")
                    .append(':');
            for (String m : skipMessages) {
                s.append("\n    ").append(m);
            }
        }
        return s.toString();
    }

    /**
     * This result, when it has at least one example.
     *
     * @throws DpoException with the summary when no row could be used
     */
    public LoadResult requireExamples() {
        if (examples.isEmpty()) {
            throw new DpoException("no usable rows in the data; " + summary());
        }
        return this;
    }

    /**
     * The examples as pairs, for an objective that needs paired data.
     *
     * @param objectiveId the objective's id, for the message
     * @throws DpoException naming the first unpaired row
     * @see ExampleLayouts#pairs(List, String)
     */
    public List<PairedExample> pairs(String objectiveId) {
        return ExampleLayouts.pairs(examples, objectiveId);
    }

    /**
     * The examples unpaired, for an objective that needs unpaired data (KTO).
     *
     * @see ExampleLayouts#unpaired(List)
     */
    public List<UnpairedExample> unpaired() {
        return ExampleLayouts.unpaired(examples);
    }

    /** The counts an objective sees before training, in the given layout. */
    public DatasetSummary datasetSummary(DataLayout layout) {
        return ExampleLayouts.summary(examples, layout);
    }
}
