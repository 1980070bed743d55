package io.dpo4j.core.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.dpo4j.core.data.BatchArrays;
import io.dpo4j.core.data.PaddedSequences;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.kernel.LogProbInput;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.kernel.SequenceLogProbs;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.train.SequenceScorer;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-token response log-probabilities of (prompt, response) token sequences under a model, one
 * padded batch at a time through the shared log-prob kernel: response token t is scored by the
 * logits at the position before it, exactly as in training ({@link PaddedSequences}).
 */
public final class TokenScorer {

    private final LlamaModel model;
    private final LogProbKernel kernel;
    private final int padId;

    /** A scorer through the chunked kernel. */
    public TokenScorer(LlamaModel model, int padId) {
        this(model, KernelType.CHUNKED.create(), padId);
    }

    /** A scorer through the given kernel. */
    public TokenScorer(LlamaModel model, LogProbKernel kernel, int padId) {
        this.model = model;
        this.kernel = kernel;
        this.padId = padId;
    }

    /**
     * Scores one batch.
     *
     * @param prompts prompt ids, each at least one token
     * @param responses response ids (EOS included), each at least one token
     * @return each response's per-token log-probabilities
     */
    public List<SequenceScore> score(List<TokenIds> prompts, List<TokenIds> responses) {
        List<SequenceScore> scores = new ArrayList<>(prompts.size());
        try (NDManager step = model.manager().newSubManager()) {
            PaddedSequences padded = PaddedSequences.of(prompts, responses, padId);
            BatchArrays arrays = padded.toArrays(step, DataType.FLOAT32);
            NDArray hidden = SequenceScorer.hidden(model, arrays, step);
            SequenceLogProbs stats = kernel.statistics(LogProbInput.of(step, hidden, model.lmHeadWeight(),
                    arrays.labels(), arrays.responseMask()).withTokenLogProbs());
            float[] tokens = stats.tokenLogProbs().orElseThrow().toType(DataType.FLOAT32, false).toFloatArray();
            int width = padded.width();
            for (int r = 0; r < prompts.size(); r++) {
                int first = padded.promptLength(r) - 1;
                float[] values = new float[padded.responseTokens(r)];
                System.arraycopy(tokens, r * width + first, values, 0, values.length);
                scores.add(new SequenceScore(values));
            }
        }
        return scores;
    }
}
