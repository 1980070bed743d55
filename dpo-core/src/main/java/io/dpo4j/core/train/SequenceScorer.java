package io.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.dpo4j.core.data.BatchArrays;
import io.dpo4j.core.data.PaddedSequences;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.kernel.LogProbInput;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.kernel.SequenceLogProbs;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.api.math.ObjectiveMath;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Summed response log-probs of (prompt, response) sequences under a model, without gradient, in
 * padded batches through the shared log-prob kernel: the reference pass, evaluations and the
 * KL estimates all go through here.
 */
public final class SequenceScorer {

    private final LlamaModel model;
    private final LogProbKernel kernel;
    private final int padId;
    private final int batchRows;
    private final BatchLayout layout;

    /** A scorer of right-padded batches ({@link BatchLayout#padded()}). */
    public SequenceScorer(LlamaModel model, LogProbKernel kernel, int padId, int batchRows) {
        this(model, kernel, padId, batchRows, BatchLayout.padded());
    }

    /**
     * A scorer in the given layout: with prompt sharing, the sequences of one prompt go into the same batch
     * (which may then exceed {@code batchRows} by the group's size) and are scored after one copy of it.
     */
    public SequenceScorer(LlamaModel model, LogProbKernel kernel, int padId, int batchRows, BatchLayout layout) {
        this.model = model;
        this.kernel = kernel;
        this.padId = padId;
        this.batchRows = Math.max(1, batchRows);
        this.layout = java.util.Objects.requireNonNull(layout, "layout");
    }

    /** Position ids {@code 0..T-1} for every row of a batch. */
    public static NDArray positions(NDManager manager, int rows, int width) {
        long[] p = new long[rows * width];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < width; t++) {
                p[r * width + t] = t;
            }
        }
        return manager.create(p, new ai.djl.ndarray.types.Shape(rows, width));
    }

    /** The final hidden states of a batch (recorded by autograd only inside an open collector). */
    public static NDArray hidden(LlamaModel model, BatchArrays arrays, NDManager manager) {
        ai.djl.ndarray.types.Shape s = arrays.inputIds().getShape();
        return model.hiddenStates(arrays.inputIds(), arrays.attentionMask(),
                positions(manager, (int) s.get(0), (int) s.get(1)));
    }

    /**
     * The summed response log-prob of each sequence.
     *
     * @param prompts prompt ids, each at least one token
     * @param responses response ids (EOS included where it belongs), each at least one token
     * @param progress told the number of sequences done after each batch (may be null)
     */
    public double[] score(List<TokenIds> prompts, List<TokenIds> responses, NDManager root, IntConsumer progress) {
        if (!layout.equals(BatchLayout.padded())) {
            return scoreLaidOut(prompts, responses, root, progress);
        }
        double[] out = new double[prompts.size()];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            order.add(i);
        }
        // Similar lengths together: less padding, faster passes.
        order.sort((a, b) -> Integer.compare(prompts.get(a).length() + responses.get(a).length(),
                prompts.get(b).length() + responses.get(b).length()));
        for (int start = 0; start < order.size(); start += batchRows) {
            List<Integer> rows = order.subList(start, Math.min(order.size(), start + batchRows));
            List<TokenIds> p = new ArrayList<>();
            List<TokenIds> r = new ArrayList<>();
            for (int i : rows) {
                p.add(prompts.get(i));
                r.add(responses.get(i));
            }
            try (NDManager step = root.newSubManager()) {
                PaddedSequences seqs = PaddedSequences.of(p, r, padId);
                BatchArrays arrays = seqs.toArrays(step, DataType.FLOAT32);
                NDArray h = hidden(model, arrays, step);
                SequenceLogProbs stats = kernel.statistics(LogProbInput.of(step, h, model.lmHeadWeight(),
                        arrays.labels(), arrays.responseMask()));
                double[] values = ObjectiveMath.toDoubles(stats.logProbs());
                for (int k = 0; k < rows.size(); k++) {
                    out[rows.get(k)] = values[k];
                }
            }
            if (progress != null) {
                progress.accept(Math.min(order.size(), start + batchRows));
            }
        }
        return out;
    }

    /** {@link #score} in a segmented layout: sequences grouped by prompt, groups by length, whole groups a batch. */
    private double[] scoreLaidOut(List<TokenIds> prompts, List<TokenIds> responses, NDManager root,
            IntConsumer progress) {
        double[] out = new double[prompts.size()];
        java.util.Map<TokenIds, List<Integer>> byPrompt = new java.util.LinkedHashMap<>();
        for (int i = 0; i < prompts.size(); i++) {
            byPrompt.computeIfAbsent(layout.sharing() == BatchLayout.Sharing.OFF ? TokenIds.of(i) : prompts.get(i),
                    k -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> groups = new ArrayList<>(byPrompt.values());
        java.util.function.ToIntFunction<List<Integer>> length = g -> {
            int n = prompts.get(g.get(0)).length();
            for (int i : g) {
                n += responses.get(i).length();
            }
            return n;
        };
        groups.sort(java.util.Comparator.comparingInt(length));
        int done = 0;
        int next = 0;
        while (next < groups.size()) {
            List<Integer> rows = new ArrayList<>();
            while (next < groups.size() && (rows.isEmpty() || rows.size() + groups.get(next).size() <= batchRows)) {
                rows.addAll(groups.get(next++));
            }
            List<TokenIds> p = new ArrayList<>();
            List<TokenIds> r = new ArrayList<>();
            for (int i : rows) {
                p.add(prompts.get(i));
                r.add(responses.get(i));
            }
            try (NDManager step = root.newSubManager()) {
                ScoringBatch batch = layout.arrange(p, r, padId, model.config(), step);
                NDArray h = batch.hidden(model, step);
                double[] values = ObjectiveMath.toDoubles(kernel.statistics(batch.kernelInput(step, h,
                        model.lmHeadWeight())).logProbs());
                for (int k = 0; k < rows.size(); k++) {
                    out[rows.get(k)] = values[k];
                }
            }
            done += rows.size();
            if (progress != null) {
                progress.accept(done);
            }
        }
        return out;
    }
}
