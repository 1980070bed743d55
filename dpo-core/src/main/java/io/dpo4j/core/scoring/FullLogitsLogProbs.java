package io.dpo4j.core.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.dpo4j.core.model.LlamaModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The naive way to get response log-probabilities: hidden states of the response-predicting positions
 * → full logits over the vocabulary → log-softmax → the label's entry. It holds logits for at most
 * {@link #LOGIT_BUDGET} floats at a time. A stand-in until the shared chunked log-prob kernel
 * ({@code io.dpo4j.core.kernel}) replaces it; also the reference such a kernel is checked against.
 */
public final class FullLogitsLogProbs {

    /** Largest logits block computed at once, in floats (64 Mi floats, 256 MiB). */
    public static final long LOGIT_BUDGET = 1L << 26;

    private FullLogitsLogProbs() {
    }

    /**
     * Per-token log-probabilities of each sequence's response tokens (EOS included), computed without
     * gradient on a sub-manager of {@code manager} that is closed before returning.
     */
    public static List<float[]> responseTokenLogProbs(LlamaModel model, SequenceBatch batch, NDManager manager) {
        return responseTokenLogProbs(model, batch, manager, LOGIT_BUDGET);
    }

    /** As above with a chosen logits budget in floats (tests use a small one to get several blocks). */
    static List<float[]> responseTokenLogProbs(LlamaModel model, SequenceBatch batch, NDManager manager,
            long logitBudget) {
        int length = batch.length();
        int total = batch.sequences().stream().mapToInt(s -> s.responseIds().length).sum();
        long[] rows = new long[total];
        long[] labels = new long[total];
        int n = 0;
        for (int b = 0; b < batch.size(); b++) {
            ResponseSequence s = batch.sequences().get(b);
            int prompt = s.promptIds().length;
            for (int t = 0; t < s.responseIds().length; t++) {
                rows[n] = (long) b * length + prompt + t - 1; // the position before response token t
                labels[n] = s.responseIds()[t];
                n++;
            }
        }
        float[] logProbs = new float[total];
        try (NDManager step = manager.newSubManager()) {
            NDArray hidden = model.hiddenStates(batch.inputIds(step), batch.attentionMask(step),
                    batch.positionIds(step));
            long width = hidden.getShape().get(2);
            NDArray flat = hidden.reshape(-1, width);
            int chunk = (int) Math.max(1, logitBudget / model.config().vocabSize());
            for (int start = 0; start < total; start += chunk) {
                int count = Math.min(chunk, total - start);
                try (NDManager block = step.newSubManager()) {
                    NDArray index = block.create(Arrays.copyOfRange(rows, start, start + count));
                    NDArray label = block.create(Arrays.copyOfRange(labels, start, start + count),
                            new Shape(count, 1));
                    NDArray selected = flat.get(block, new NDIndex("{}", index));
                    float[] values = model.logits(selected).logSoftmax(-1).gather(label, -1).toFloatArray();
                    System.arraycopy(values, 0, logProbs, start, count);
                }
            }
        }
        List<float[]> perSequence = new ArrayList<>(batch.size());
        int offset = 0;
        for (ResponseSequence s : batch.sequences()) {
            int r = s.responseIds().length;
            perSequence.add(Arrays.copyOfRange(logProbs, offset, offset + r));
            offset += r;
        }
        return perSequence;
    }
}
