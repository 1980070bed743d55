package io.dpo4j.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.math.ObjectiveMath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One training pass of {@link SinglePassLogProbKernel}. Per chunk of whole groups (rows R of the N
 * response tokens), for each vocabulary slice j of at most one tile:
 *
 * <pre>
 * Z_j = X_c·W_jᵀ + bias_j      m_j = rowmax(Z_j)      E_j = exp(Z_j − m_j)  (kept)      s_j = rowsum(E_j)
 * lse = M + log Σ_j s_j·exp(m_j − M),  M = max_j m_j          logp_i = z_i[label_i] − lse_i
 * </pre>
 *
 * then {@code g} for the chunk's groups from the {@link EagerGradient}, {@code c = −g} per token, and
 * per slice, in place, {@code G_j = E_j ⊙ (c·exp(m_j − lse)) − c·onehot_j = c·(P_j − onehot_j)}:
 *
 * <pre>
 * ∂L/∂X_c += G_j · W_j        ∂L/∂W_j += G_jᵀ · X_c        ∂L/∂bias_j += Σ_rows G_j
 * </pre>
 *
 * The ∂W share goes straight into W's gradient buffer ({@link LmHeadGradients}); ∂X is injected with
 * the rest in {@link #backward}, which first applies {@code g − g_eager} by recomputing
 * ({@link TileRecompute}) the sequences where it is not zero.
 */
final class SinglePassForward implements KernelForward {

    private final LogProbInput input;
    private final GradientCollector collector;
    private final EagerGradient eager;
    private final ResponseLayout layout;
    private final NDManager work;
    private final long budgetBytes;
    private final long chunkBytes;
    private final int[] starts;
    private final DataType dtype;
    private NDArray weight;
    private NDArray bias;
    private NDArray positions;
    private NDArray rows;
    private NDArray logSumExp;
    private NDArray tokenLogProbs;
    private NDArray rowSums;
    private NDArray usedGradient;
    private LmHeadGradients grads;
    private SequenceLogProbs statistics;
    private int eagerSequences;
    /** Sequences whose logits were kept and whose eager gradient was applied. */
    private boolean[] kept;
    private boolean done;

    SinglePassForward(LogProbInput input, GradientCollector collector, EagerGradient eager, long budgetBytes,
            long chunkBytes) {
        this.input = input;
        this.collector = collector;
        this.eager = eager;
        this.budgetBytes = budgetBytes;
        this.chunkBytes = chunkBytes;
        this.layout = ResponseLayout.of(input);
        this.dtype = input.hidden().getDataType();
        int b = layout.batchSize();
        if (eager.groups().length != b) {
            throw new IllegalArgumentException("the eager gradient's groups must name one group per sequence ("
                    + b + "), got " + eager.groups().length);
        }
        this.kept = new boolean[b];
        this.starts = new int[b + 1];
        for (int r = 0; r < b; r++) {
            starts[r + 1] = starts[r] + layout.counts()[r];
        }
        this.work = input.manager().newSubManager();
        try {
            run();
        } catch (RuntimeException e) {
            work.close();
            throw e;
        }
    }

    private void run() {
        int n = layout.responseTokens();
        int b = layout.batchSize();
        int t = layout.sequenceLength();
        NDArray hidden = owned(input.hidden().stopGradient(), work);
        this.weight = owned(input.weight().stopGradient(), work);
        this.bias = input.bias().map(x -> owned(x.stopGradient(), work)).orElse(null);
        this.positions = work.create(layout.flatPositions());
        NDArray flatHidden = owned(hidden.reshape(b * (long) t, input.hiddenSize()), work);
        this.rows = flatHidden.get(new NDIndex("{}", positions));
        this.logSumExp = work.zeros(new Shape(n, 1), dtype);
        this.tokenLogProbs = work.zeros(new Shape(n), dtype);
        double logV = Math.log(input.vocabularySize());
        double[] placeholders = new double[b];
        for (int r = 0; r < b; r++) {
            placeholders[r] = -layout.counts()[r] * logV;
        }
        this.rowSums = owned(work.create(placeholders).toType(dtype, false), work);
        this.usedGradient = work.zeros(new Shape(b), dtype);
        this.grads = new LmHeadGradients(input, n, dtype, collector, work);

        long bytesPerToken = (long) input.vocabularySize() * dtype.getNumOfBytes();
        long maxTokens = Math.max(1, chunkBytes / bytesPerToken);
        List<int[]> chunk = new ArrayList<>();
        int chunkTokens = 0;
        for (int[] group : groups()) {
            int tokens = 0;
            for (int r : group) {
                tokens += layout.counts()[r];
            }
            if (tokens > maxTokens) {
                // Too large to keep: scored now, its gradient applied by backward's recompute.
                scoreLarge(group, (int) maxTokens);
                continue;
            }
            if (chunkTokens + tokens > maxTokens) {
                score(chunk);
                chunk.clear();
                chunkTokens = 0;
            }
            chunk.add(group);
            chunkTokens += tokens;
        }
        if (!chunk.isEmpty()) {
            score(chunk);
        }

        NDManager out = input.manager();
        NDArray sums = rowSums.duplicate();
        sums.attach(out);
        NDArray perToken = null;
        if (input.wantsTokenLogProbs()) {
            NDArray perPosition = work.zeros(new Shape(b * (long) t), dtype);
            perPosition.set(new NDIndex("{}", positions), tokenLogProbs);
            perToken = perPosition.reshape(b, t);
            perToken.attach(out);
        }
        this.statistics = new SequenceLogProbs(sums, layout.countArray(out, dtype), perToken);
    }

    /** The rows of each group, groups in the order of their first row. */
    private List<int[]> groups() {
        Map<Integer, List<Integer>> byId = new LinkedHashMap<>();
        int[] ids = eager.groups();
        for (int r = 0; r < ids.length; r++) {
            byId.computeIfAbsent(ids[r], k -> new ArrayList<>()).add(r);
        }
        List<int[]> out = new ArrayList<>();
        byId.values().forEach(g -> out.add(g.stream().mapToInt(Integer::intValue).toArray()));
        return out;
    }

    /** A group larger than a chunk: scored in pieces, nothing kept. */
    private void scoreLarge(int[] group, int maxTokens) {
        for (int r : group) {
            for (int a = starts[r]; a < starts[r + 1]; a += maxTokens) {
                int e = Math.min(starts[r + 1], a + maxTokens);
                scoreTokens(range(a, e), null);
            }
            try (NDManager scope = work.newSubManager()) {
                NDArray sum = tokenLogProbs.get(scope, new NDIndex(starts[r] + ":" + starts[r + 1])).sum();
                rowSums.set(new NDIndex(String.valueOf(r)), sum);
            }
        }
    }

    /** Scores the chunk's groups keeping their logits, then applies their eager gradient from them. */
    private void score(List<int[]> chunk) {
        List<Integer> chunkRows = new ArrayList<>();
        chunk.forEach(g -> {
            for (int r : g) {
                chunkRows.add(r);
            }
        });
        int tokens = 0;
        for (int r : chunkRows) {
            tokens += layout.counts()[r];
        }
        long[] idx = new long[tokens];
        int k = 0;
        for (int r : chunkRows) {
            for (int i = starts[r]; i < starts[r + 1]; i++) {
                idx[k++] = i;
            }
        }
        try (NDManager scope = work.newSubManager()) {
            List<Slice> slices = new ArrayList<>();
            Scored scored = scoreTokens(idx, slices, scope);
            int offset = 0;
            for (int r : chunkRows) {
                int count = layout.counts()[r];
                NDArray sum = scored.tokenLogProbs.get(new NDIndex(offset + ":" + (offset + count))).sum();
                sum.attach(scope);
                rowSums.set(new NDIndex(String.valueOf(r)), sum);
                offset += count;
            }
            applyEager(idx, chunkRows, scored, slices, scope);
        }
    }

    private void scoreTokens(long[] idx, List<Slice> slices) {
        try (NDManager scope = work.newSubManager()) {
            scoreTokens(idx, slices, scope);
        }
    }

    /** Label logits and logsumexp of the given tokens over every vocabulary slice, into the pass's arrays. */
    private Scored scoreTokens(long[] idx, List<Slice> slices, NDManager scope) {
        int r = idx.length;
        int vocabulary = input.vocabularySize();
        long tileElements = Math.max(1, budgetBytes / (2L * dtype.getNumOfBytes()));
        int width = (int) Math.min(vocabulary, Math.max(1, tileElements / r));
        NDArray at = scope.create(idx);
        NDArray x = rows.get(new NDIndex("{}", at));
        x.attach(scope);
        long[] labels = new long[r];
        for (int i = 0; i < r; i++) {
            labels[i] = layout.labels()[(int) idx[i]];
        }
        NDArray labelLogits = scope.zeros(new Shape(r), dtype);
        List<NDArray> maxima = new ArrayList<>();
        List<NDArray> sums = new ArrayList<>();
        for (int v0 = 0; v0 < vocabulary; v0 += width) {
            int v1 = Math.min(vocabulary, v0 + width);
            NDIndex slice = new NDIndex(v0 + ":" + v1);
            NDArray w = weight.get(scope, slice);
            NDArray z = Linear.linear(x, w, bias == null ? null : bias.get(scope, slice)).singletonOrThrow();
            LabelHits hits = LabelHits.of(labels, 0, r, v0, v1);
            if (!hits.isEmpty()) {
                NDArray picked = z.get(new NDIndex("{}, {}", scope.create(hits.rows()), scope.create(hits.columns())));
                labelLogits.set(new NDIndex("{}", scope.create(hits.tokens())), picked);
                picked.close();
            }
            NDArray max = z.max(new int[] {1}, true);
            z.subi(max);
            NDArray e = z.exp();
            z.close();
            maxima.add(max);
            sums.add(e.sum(new int[] {1}, true));
            if (slices != null) {
                slices.add(new Slice(v0, v1, w, e, max, hits));
            } else {
                e.close();
            }
        }
        NDArray m = maxima.size() == 1 ? maxima.get(0) : NDArrays.concat(new NDList(maxima), 1);
        NDArray s = sums.size() == 1 ? sums.get(0) : NDArrays.concat(new NDList(sums), 1);
        NDArray top = m.max(new int[] {1}, true);
        NDArray lse = s.mul(m.sub(top).exp()).sum(new int[] {1}, true).log().addi(top);
        NDArray lp = labelLogits.sub(lse.reshape(r));
        logSumExp.set(new NDIndex("{}", at), lse);
        tokenLogProbs.set(new NDIndex("{}", at), lp);
        return new Scored(x, lse, lp);
    }

    /** The eager gradient of the chunk's rows, applied from the kept slices. */
    private void applyEager(long[] idx, List<Integer> chunkRows, Scored scored, List<Slice> slices, NDManager scope) {
        int r = idx.length;
        NDArray asked = rowSums.duplicate();
        asked.attach(scope);
        NDArray g = SequenceGradients.checkedSequenceGradient(eager.gradient(asked), rowSums, scope);
        long[] tokenRows = new long[r];
        for (int i = 0; i < r; i++) {
            tokenRows[i] = layout.rows()[(int) idx[i]];
        }
        long[] rowIds = chunkRows.stream().mapToLong(Integer::longValue).toArray();
        NDIndex rowAt = new NDIndex("{}", scope.create(rowIds));
        usedGradient.set(rowAt, g.get(rowAt));
        // c = −g per token; each slice's row scale c·exp(m_j − lse) turns E_j into c·P_j.
        NDArray c = g.get(new NDIndex("{}", scope.create(tokenRows))).neg().reshape(r, 1);
        NDArray dX = scope.zeros(new Shape(r, input.hiddenSize()), dtype);
        NDArray cFlat = c.reshape(r);
        for (Slice slice : slices) {
            try (NDManager tile = scope.newSubManager()) {
                NDArray gj = slice.exp();
                gj.attach(tile);
                NDArray rowScale = slice.max().sub(scored.logSumExp()).exp().muli(c);
                rowScale.attach(tile);
                gj.muli(rowScale);
                if (!slice.hits().isEmpty()) {
                    NDIndex at = new NDIndex("{}, {}", tile.create(slice.hits().rows()),
                            tile.create(slice.hits().columns()));
                    NDArray picked = cFlat.get(new NDIndex("{}", tile.create(slice.hits().rows())));
                    picked.attach(tile);
                    gj.set(at, gj.get(at).subi(picked));
                }
                // gj now holds c·(P − onehot) for this slice: ∂L/∂z.
                dX.addi(gj.matMul(slice.weight()));
                NDIndex vocab = new NDIndex(slice.v0() + ":" + slice.v1());
                if (grads.dWeight != null) {
                    grads.dWeight.get(tile, vocab).addi(gj.transpose().matMul(scored.rows()));
                }
                if (grads.dBias != null) {
                    grads.dBias.get(tile, vocab).addi(gj.sum(new int[] {0}));
                }
            }
        }
        for (int row : chunkRows) {
            kept[row] = true;
        }
        grads.dRows.set(new NDIndex("{}", scope.create(idx)), dX);
    }

    private static long[] range(int a, int e) {
        long[] out = new long[e - a];
        for (int i = 0; i < out.length; i++) {
            out[i] = a + i;
        }
        return out;
    }

    @Override
    public SequenceLogProbs statistics() {
        return statistics;
    }

    @Override
    public int eagerSequences() {
        return eagerSequences;
    }

    @Override
    public void backward(NDArray sequenceGradient) {
        if (done) {
            throw new IllegalStateException("backward was already called or this pass was closed");
        }
        try {
            NDArray g = SequenceGradients.checkedSequenceGradient(sequenceGradient, statistics.logProbs(), work);
            NDArray delta = g.sub(usedGradient);
            double[] full = ObjectiveMath.toDoubles(g);
            double[] diff = ObjectiveMath.toDoubles(delta);
            double scale = 0;
            for (double v : full) {
                scale = Math.max(scale, Math.abs(v));
            }
            double ulp = dtype == DataType.FLOAT64 ? 0x1p-52 : 0x1p-23;
            double tolerance = 4 * ulp * scale;
            List<Integer> recompute = new ArrayList<>();
            for (int r = 0; r < diff.length; r++) {
                if (Math.abs(diff[r]) > tolerance) {
                    recompute.add(r);
                }
            }
            int eagerRows = 0;
            for (int r = 0; r < kept.length; r++) {
                if (kept[r] && !recompute.contains(r)) {
                    eagerRows++;
                }
            }
            if (!recompute.isEmpty()) {
                recompute(recompute, delta);
            }
            eagerSequences = eagerRows;
            grads.inject(positions);
        } finally {
            close();
        }
    }

    /** The two-pass backward of {@code delta} for the given sequences. */
    private void recompute(List<Integer> sequences, NDArray delta) {
        int tokens = 0;
        for (int r : sequences) {
            tokens += layout.counts()[r];
        }
        long[] idx = new long[tokens];
        long[] tokenRows = new long[tokens];
        long[] labels = new long[tokens];
        int k = 0;
        for (int r : sequences) {
            for (int i = starts[r]; i < starts[r + 1]; i++) {
                idx[k] = i;
                tokenRows[k] = r;
                labels[k] = layout.labels()[i];
                k++;
            }
        }
        try (NDManager scope = work.newSubManager()) {
            NDIndex at = new NDIndex("{}", scope.create(idx));
            NDArray x = rows.get(at);
            x.attach(scope);
            NDArray lse = logSumExp.get(at);
            lse.attach(scope);
            NDArray negG = delta.get(new NDIndex("{}", scope.create(tokenRows))).neg().reshape(tokens, 1);
            negG.attach(scope);
            NDArray dX = scope.zeros(new Shape(tokens, input.hiddenSize()), dtype);
            TilePlan plan = TilePlan.of(budgetBytes, dtype.getNumOfBytes(), tokens, input.vocabularySize());
            TileRecompute.accumulate(x, weight, bias, lse, labels, negG, plan, dX, grads.dWeight, grads.dBias, scope);
            NDArray before = grads.dRows.get(at);
            before.attach(scope);
            grads.dRows.set(at, before.addi(dX));
        }
    }

    @Override
    public void close() {
        done = true;
        work.close();
    }

    private static NDArray owned(NDArray array, NDManager manager) {
        array.attach(manager);
        return array;
    }

    /** The tokens' rows X, their logsumexp (R × 1) and log-probs (R) of one chunk. */
    private record Scored(NDArray rows, NDArray logSumExp, NDArray tokenLogProbs) {
    }

    /** One kept vocabulary slice: W_j, E_j = exp(Z_j − m_j), m_j and the labels that fall in it. */
    private record Slice(int v0, int v1, NDArray weight, NDArray exp, NDArray max, LabelHits hits) {
    }
}
