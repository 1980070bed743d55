package io.dpo4j.cli;

import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.data.TokenizedData;
import io.dpo4j.core.data.TruncationPolicy;
import io.dpo4j.core.data.TruncationSettings;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The length limits of a run, fitted to its model. Limits the configuration sets are used as they
 * are; the others default to the embedded tiny model's small ones ({@code max_prompt_length} 32,
 * {@code max_response_length} 32, {@code max_length} 64), or for a model of the user's to TRL's:
 * {@code max_length} 1024 capped by the model's {@code max_position_embeddings}, no separate prompt
 * or response limit (so the prompt is cut, from the left, only when prompt + response is too long).
 */
public final class Lengths {

    /** TRL's {@code max_length}. */
    public static final int TRL_MAX_LENGTH = 1024;

    /** More truncated examples than this share is reported prominently. */
    public static final double TRUNCATION_WARNING = TokenizedData.TRUNCATION_WARNING;

    private Lengths() {
    }

    /**
     * The limits for a model.
     *
     * @param tiny whether the model is the embedded tiny one
     * @param maxPositions the model's {@code max_position_embeddings}
     */
    public static TruncationSettings resolve(TrainConfig.Data d, boolean tiny, int maxPositions) {
        int maxLength = d.maxLength() != null ? d.maxLength() : tiny ? 64 : Math.min(TRL_MAX_LENGTH, maxPositions);
        int prompt = d.maxPromptLength() != null ? d.maxPromptLength() : tiny ? 32 : TruncationSettings.UNLIMITED;
        int response = d.maxResponseLength() != null ? d.maxResponseLength() : tiny ? 32 : TruncationSettings.UNLIMITED;
        return new TruncationSettings(prompt, response, maxLength,
                d.truncation());
    }

    /** The resolved limits, saying which were defaulted and warning when they pass the model's positions. */
    public static void report(TrainConfig.Data d, TruncationSettings s, int maxPositions, PrintWriter log) {
        boolean defaulted = d.maxLength() == null || d.maxPromptLength() == null || d.maxResponseLength() == null;
        log.println("lengths: " + s.describe() + (defaulted ? " (unset limits defaulted for the model; "
                + "max_position_embeddings=" + (maxPositions == Integer.MAX_VALUE ? "unknown" : maxPositions) + ")" : ""));
        if (s.maxLength() != TruncationSettings.UNLIMITED && s.maxLength() > maxPositions) {
            log.println("warning: data.max_length=" + s.maxLength() + " lets sequences run past the model's "
                    + "max_position_embeddings=" + maxPositions + "; positions beyond it were never trained");
        }
    }

    /** Says prominently when more than a few percent of the kept examples were cut, and which setting to change. */
    public static void warnIfTruncating(TokenizedData<?> data, String what, PrintWriter log) {
        data.truncationWarning(what).ifPresent(log::println);
    }
}
