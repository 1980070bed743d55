package io.dpo4j.core.kernel;

import ai.djl.ndarray.NDArray;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link LogProbKernel} returns for a batch of {@code B} sequences of length {@code T}, all in
 * the hidden states' floating dtype and without gradient.
 */
public final class SequenceLogProbs {

    private final NDArray logProbs;
    private final NDArray tokenCounts;
    private final NDArray tokenLogProbs;

    SequenceLogProbs(NDArray logProbs, NDArray tokenCounts, NDArray tokenLogProbs) {
        this.logProbs = Objects.requireNonNull(logProbs, "logProbs");
        this.tokenCounts = Objects.requireNonNull(tokenCounts, "tokenCounts");
        this.tokenLogProbs = tokenLogProbs;
    }

    /** {@code logp(b) = Σ_t mask[b,t] · log π(labels[b,t] | …)}, shape {@code (B)}; every entry ≤ 0. */
    public NDArray logProbs() {
        return logProbs;
    }

    /** {@code n(b) = Σ_t mask[b,t]}, shape {@code (B)}, as floating point (every entry ≥ 1). */
    public NDArray tokenCounts() {
        return tokenCounts;
    }

    /**
     * Per-token log-probs, shape {@code (B, T)}, zero where the mask is zero; present only when the
     * input asked for them ({@link LogProbInput#withTokenLogProbs()}).
     */
    public Optional<NDArray> tokenLogProbs() {
        return Optional.ofNullable(tokenLogProbs);
    }
}
