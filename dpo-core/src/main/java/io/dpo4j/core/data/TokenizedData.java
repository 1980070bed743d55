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
 */
public record TokenizedData<T extends TokenizedExample>(List<T> examples, long input, long truncated,
        Map<DropReason, Long> dropped, List<String> droppedIds, TruncationSettings settings) {

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
        return s.append("; ").append(settings.describe()).toString();
    }
}
