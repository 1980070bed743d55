package io.dpo4j.core.data;

import io.dpo4j.core.DpoException;
import java.util.Objects;

/**
 * Length limits in tokens (the response counts its EOS token). {@link #UNLIMITED} means no limit.
 *
 * @param maxPromptLength most prompt tokens ({@code max_prompt_length})
 * @param maxResponseLength most tokens of each response ({@code max_response_length})
 * @param maxLength most tokens of the prompt plus its longer response ({@code max_length})
 * @param policy cut or drop an example over a limit
 */
public record TruncationSettings(int maxPromptLength, int maxResponseLength, int maxLength, TruncationPolicy policy) {

    /** No limit. */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    /**
     * @throws DpoException naming the setting when a limit is below 1
     */
    public TruncationSettings {
        Objects.requireNonNull(policy, "policy");
        check("max_prompt_length", maxPromptLength);
        check("max_response_length", maxResponseLength);
        check("max_length", maxLength);
    }

    private static void check(String name, int value) {
        if (value < 1) {
            throw new DpoException(name + " must be at least 1, got " + value);
        }
    }

    /** TRL's DPO defaults: prompt 512, response unlimited, total 1024, truncate. */
    public static TruncationSettings defaults() {
        return new TruncationSettings(512, UNLIMITED, 1024, TruncationPolicy.TRUNCATE);
    }

    /** No limits at all. */
    public static TruncationSettings unlimited() {
        return new TruncationSettings(UNLIMITED, UNLIMITED, UNLIMITED, TruncationPolicy.TRUNCATE);
    }

    /** E.g. {@code max_prompt_length=512, max_response_length=none, max_length=1024, truncation=truncate}. */
    public String describe() {
        return "max_prompt_length=" + show(maxPromptLength) + ", max_response_length=" + show(maxResponseLength)
                + ", max_length=" + show(maxLength) + ", truncation=" + policy.label();
    }

    private static String show(int limit) {
        return limit == UNLIMITED ? "none" : Integer.toString(limit);
    }
}
