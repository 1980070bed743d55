package io.dpo4j.core.data;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of tokenisation: the examples kept, and an account of the others.
 *
 * @param <T> {@link TokenizedPair} or {@link TokenizedUnpaired}
 * @param examples the kept examples, in input order
 * @param input number of examples given
 * @param truncated number of kept examples that a limit cut
 * @param dropped examples left out, by reason (unmodifiable)
 * @param droppedIds up to five ids of examples left out
 * @param settings the limits applied
 * @param joinedDifferently kept examples of which a response tokenises differently when joined to its prompt
 *     (prompt and response are tokenised apart, as TRL does; this counts where that matters)
 */
public record TokenizedData<T extends TokenizedExample>(List<T> examples, long input, long truncated,
        Map<DropReason, Long> dropped, List<String> droppedIds, TruncationSettings settings, long joinedDifferently) {

    /** Without the joined-differently count. */
    public TokenizedData(List<T> examples, long input, long truncated, Map<DropReason, Long> dropped,
            List<String> droppedIds, TruncationSettings settings) {
        this(examples, input, truncated, dropped, droppedIds, settings, 0);
    }

    /** The share of kept examples a limit cut (0 when none is kept). */
    public double truncatedFraction() {
        return examples.isEmpty() ? 0 : (double) truncated / examples.size();
    }

    /** Most dropped ids kept for the summary. */
    public static final int MAX_DROPPED_IDS = 5;

    public TokenizedData {
        examples = List.copyOf(examples);
        dropped = dropped.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(dropped));
        droppedIds = List.copyOf(droppedIds);
        if (examples.size() + droppedTotal(dropped) != input) {
            throw new IllegalArgumentException("kept + dropped must equal the input");
        }
    }

    /** Examples left out for any reason. */
    public long droppedTotal() {
        return droppedTotal(dropped);
    }

    private static long droppedTotal(Map<DropReason, Long> dropped) {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * One line, e.g. {@code tokenised 1000 examples: 998 kept (12 truncated), 2 dropped (over max_length 2:
     * data.jsonl:7, data.jsonl:9); max_prompt_length=512, ...}.
     */
    public String summary() {
        StringBuilder s = new StringBuilder("tokenised ").append(input).append(input == 1 ? " example: " : " examples: ")
                .append(examples.size()).append(" kept (").append(truncated).append(" truncated)");
        if (!dropped.isEmpty()) {
            s.append(", ").append(droppedTotal()).append(" dropped (")
                    .append(dropped.entrySet().stream().map(e -> e.getKey().description() + " " + e.getValue())
                            .collect(Collectors.joining(", ")))
                    .append(droppedTotal() > droppedIds.size() ? "; e.g. " : ": ").append(String.join(", ", droppedIds))
                    .append(')');
        }
        if (joinedDifferently > 0) {
            s.append("; ").append(joinedDifferently).append(joinedDifferently == 1 ? " example tokenises" : " examples tokenise")
                    .append(" differently when prompt and response are joined (they are tokenised apart, as in TRL)");
        }
        return s.append("; ").append(settings.describe()).toString();
    }

    /** More truncated examples than this share is reported prominently. */
    public static final double TRUNCATION_WARNING = 0.05;

    /**
     * The prominent warning when more than {@link #TRUNCATION_WARNING} of the kept examples were cut,
     * naming the setting to change; empty otherwise.
     *
     * @param what the examples, e.g. "training examples"
     */
    public java.util.Optional<String> truncationWarning(String what) {
        if (truncatedFraction() <= TRUNCATION_WARNING) {
            return java.util.Optional.empty();
        }
        TruncationSettings s = settings();
        return java.util.Optional.of(String.format(java.util.Locale.ROOT, "WARNING: %d of %d %s (%.0f%%) were "
                + "truncated by the length limits (%s): raise data.max_length (or max_prompt_length / "
                + "max_response_length), or set data.truncation: drop to leave such rows out", truncated(),
                examples().size(), what, 100 * truncatedFraction(), s.describe()));
    }
}
