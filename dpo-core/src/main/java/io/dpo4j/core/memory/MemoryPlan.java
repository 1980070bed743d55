package io.dpo4j.core.memory;

import io.dpo4j.core.model.LlamaConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The estimated peak resident memory of a training run, computed from the architecture and the settings
 * before any model is loaded: the larger of two phases, the no-grad reference pass and the training step,
 * each a sum of named terms (bytes). Widths: {@code d} hidden, {@code q} = heads·head_dim, {@code kv} =
 * kv_heads·head_dim, {@code I} intermediate, {@code H} heads, {@code L} layers, {@code P} parameters,
 * {@code N} trainable parameters; {@code S} sequences of {@code T} tokens per micro-batch ({@code S·T}
 * tokens). {@code T} is the longest sequence the batches will have: the caller passes the tokenised data's
 * longest ({@link DataLengths}), which is what the largest micro-batch is padded to — never more than
 * {@code max_length}, and for short data far less.
 *
 * <p><b>The training step, in a run's steady state.</b> From the second step on, everything below is live
 * at once except the two phases of a step, which never overlap (the step's manager, holding every
 * activation, is closed before the optimizer runs):
 * <ul>
 * <li><i>state</i>, held for the whole run: the runtime ({@link #RUNTIME_BYTES}); the parameters,
 * {@code 4P} (a FLOAT16 frozen base: {@code 2} bytes for the decoder matrices); the gradients, {@code 4N}
 * and AdamW's two moments, {@code 8N}, both allocated before the first step and updated in place, never freed
 * (until they were allocated up front, the first backward and update made them, after the first step's
 * activations were gone, so a one-step measurement missed the moments — which is why {@code dpo bench-memory}
 * runs two steps);</li>
 * <li><i>forward and backward</i>: the activations autograd keeps, per token and layer
 * {@code 6d + 3q + 2kv + 3I + H} floats (each RMSNorm's input, scale and output; the fused attention's grouped
 * queries, keys, values, output and one log-sum-exp per head — the eager attention, the reference path, would
 * keep a {@code B×H×T×S} array of probabilities more; the MLP's two derivative factors and its product, see
 * {@code SwiGlu}), or with
 * checkpointing one {@code d}-vector per token and layer (each layer's input); one layer's every
 * intermediate ({@code 10d + 9q + 6kv + 8I + H}, three more outputs per adapted projection with LoRA)
 * with its backward's gradients ({@code 4d + q + 2kv + 4I + H}) — alive together when a checkpointed layer is
 * recomputed, the transient part otherwise — with the allocator's retention of those of them below glibc's
 * mmap threshold (see {@link #ALLOCATOR_RETENTION}); FLOAT16 frozen weights' float32 copies kept by the
 * graph; the log-prob kernel's logits budget and its response rows ({@code 3} gradient-sized and one
 * hidden-sized row per token);</li>
 * <li><i>the update</i>: none beyond what the allocator kept from the step — libtorch's fused AdamW
 * ({@code AdamW}'s default for float32 parameters) updates each tensor in place in one pass. (The plain path,
 * where the fused kernel is unavailable, takes two scratch copies of each tensor in turn: for full fine-tuning
 * of a model with a 150k vocabulary, the embedding's, 1.1 GB at Qwen2.5-0.5B — not counted.)</li>
 * </ul>
 * The step is {@code state + max(forward and backward, update)}.
 *
 * <p><b>Held-out evaluation</b>: a no-grad pass of its batch ({@code evaluationRows} sequences) beside the
 * whole state: the state, one layer's intermediates per token of the batch (as the reference pass) and the
 * kernel.
 *
 * <p><b>Reference pass</b> (no gradient, a sub-manager per layer): runtime, parameters, one layer's
 * intermediates ({@code 10d + 9q + 6kv + 5I + H} floats per token of its batch) and the kernel.
 *
 * <p><b>Not counted</b>, because the code does not hold it: the checkpoint's file mapping and the direct
 * buffers of loading (freed as each tensor is read, {@code DirectBuffers}; before that fix a 2 GB
 * checkpoint left about 4 GB resident for the whole run), a second model (the reference model is loaded,
 * scored and closed before the policy).
 *
 * <p>Every coefficient except {@link #ALLOCATOR_RETENTION} is counted from this project's code;
 * {@code docs/models.md} lists planned against measured peaks (the target is ±25%).
 */
public final class MemoryPlan {

    /** Resident memory of the JVM, libtorch and MKL with a model's first passes run (measured: 0.2–0.4 GiB). */
    static final long RUNTIME_BYTES = 300L << 20;
    /** glibc's largest dynamic mmap threshold: freed blocks above it go back to the system. */
    static final long MMAP_THRESHOLD_MAX = 32L << 20;
    /**
     * Fitted: the freed small blocks (below {@link #MMAP_THRESHOLD_MAX}) glibc keeps, in layers' worth. On the
     * SmolLM2-135M and Qwen2.5-0.5B shapes with LoRA + checkpointing at 8 × 512 tokens the step's resident
     * memory grew 2.7 and 2.3 GB more than its live tensors, 3.7 and 4.6 times one layer's small blocks.
     * With {@code MALLOC_MMAP_THRESHOLD_=4194304} the same SmolLM2 step peaked at 1.6 instead of 2.9 GiB
     * (2 pairs): the retention is the allocator's, not live arrays.
     */
    static final double ALLOCATOR_RETENTION = 4;

    /** A named amount of memory. */
    public record Term(String name, long bytes) {
    }

    private final PlanInput input;
    private final List<Term> training;
    private final List<Term> reference;
    private final List<Term> evaluation;
    private final List<Term> smallerPhase;
    private final String largerName;
    private final String smallerName;

    private MemoryPlan(PlanInput input, List<Term> training, List<Term> reference, List<Term> evaluation,
            List<Term> smallerPhase, String largerName, String smallerName) {
        this.evaluation = List.copyOf(evaluation);
        this.largerName = largerName;
        this.smallerName = smallerName;
        this.input = input;
        this.training = List.copyOf(training);
        this.reference = List.copyOf(reference);
        this.smallerPhase = List.copyOf(smallerPhase);
    }

    /** The plan of a run. */
    public static MemoryPlan of(PlanInput in) {
        LlamaConfig m = in.model();
        long d = m.hiddenSize();
        long q = (long) m.numHeads() * m.headDim();
        long kv = (long) m.numKeyValueHeads() * m.headDim();
        long inter = m.intermediateSize();
        long heads = m.numHeads();
        long layers = m.numLayers();
        long tokens = (long) in.sequences() * in.tokens();
        long vocab = m.vocabSize();
        long embedding = vocab * d;
        long lmHead = m.tieWordEmbeddings() ? 0 : vocab * d;
        long layerMatrices = layers * (d * q + 2 * d * kv + q * d + 3 * d * inter);
        long total = m.parameterCount();
        long other = total - layerMatrices - embedding - lmHead;

        List<Term> train = new ArrayList<>();
        train.add(new Term("runtime (JVM, libtorch)", RUNTIME_BYTES));
        long weightBytes = in.lora() && in.halfFrozen() ? 2 * layerMatrices + 4 * (total - layerMatrices) : 4 * total;
        train.add(new Term(in.lora() && in.halfFrozen() ? "parameters (decoder matrices FLOAT16)" : "parameters (float32)",
                weightBytes));
        long trainable;
        if (in.lora()) {
            long perLayer = in.loraModulesPerLayer() <= 0 ? 0 : loraPerLayer(in.loraRank(), in.loraModulesPerLayer(), d, q,
                    kv, inter);
            trainable = layers * perLayer;
        } else {
            trainable = total;
        }
        train.add(new Term(in.lora() ? "LoRA gradients" : "gradients", 4 * trainable));
        train.add(new Term(in.lora() ? "LoRA AdamW state" : "AdamW state (2 moments)", 8 * trainable));
        List<Term> pass = new ArrayList<>();
        // Floats per token, by width (d, q, kv, I, H). Saved: what autograd keeps of a layer for its backward.
        // All: every output of the layer's operations, alive until the layer's scope closes (a checkpointed
        // recomputation keeps them through the layer's backward). Backward: one layer's gradients at their peak.
        // The MLP keeps 3 I-vectors (SwiGlu.recorded: its two derivative factors and the product) and makes 8.
        // The fused attention keeps its grouped queries, keys, values and output, and one log-sum-exp per head
        // and query (the last width): no B×H×T×S array is made, forward or backward.
        double[] saved = {6, 3, 2, 3, 1};
        double[] all = {10, 9, 6, 8, 1};
        double[] backward = {4, 1, 2, 4, 1};
        if (in.lora()) {
            double[] outs = loraOutputs(in.loraModulesPerLayer());
            for (int i = 0; i < 4; i++) {
                all[i] += 3 * outs[i]; // B·(A·x), scaled, added to the projection
            }
        }
        if (in.lora() && in.loraDropout()) {
            saved[0] += in.loraModulesPerLayer(); // each adapted input's masked copy
            all[0] += in.loraModulesPerLayer();
        }
        long[] widths = {d, q, kv, inter, heads};
        long oneLayer = 0;
        long retained = 0;
        long savedBytes = 0;
        for (int i = 0; i < widths.length; i++) {
            long tensor = 4 * tokens * widths[i];
            // glibc returns blocks above its largest mmap threshold (32 MiB) to the system when freed; smaller
            // ones stay in its heaps, and a layer's worth of them is not reused exactly: measured, a step
            // holds about ALLOCATOR_RETENTION such layers' worth beyond the live tensors.
            // So the plan can fall by that retention when a batch grows past the threshold (real: the arrays are
            // then mapped and unmapped whole).
            double factor = tensor > MMAP_THRESHOLD_MAX ? 1 : 1 + ALLOCATOR_RETENTION;
            oneLayer += (long) (factor * (all[i] + backward[i]) * tensor);
            retained += (long) ((factor - 1) * (all[i] + backward[i]) * tensor);
            savedBytes += (long) (saved[i] * tensor);
        }
        if (in.checkpointing()) {
            pass.add(new Term("activations (checkpointed: layer inputs)", 4 * tokens * d * layers));
            pass.add(new Term("one layer recomputed with its backward, and allocator retention", oneLayer));
        } else {
            pass.add(new Term("activations (" + layers + " layers' graphs)", savedBytes * layers));
            pass.add(new Term("one layer's intermediates and backward, and allocator retention", oneLayer));
        }
        if (in.lora() && in.halfFrozen()) {
            // autograd keeps each layer's widened float32 weights for the input gradient
            long widened = in.checkpointing() ? 4 * layerMatrices / layers : 4 * layerMatrices;
            pass.add(new Term("float32 copies of FLOAT16 weights in the graph", widened));
        }
        long responseRows = (long) in.sequences() * in.responseTokens();
        pass.add(new Term("log-prob kernel (tiles, response rows)", in.kernelBudgetBytes() + 4 * (3 * responseRows * d
                + tokens * d)));
        // The update runs after the step's manager is closed: its scratch never meets the activations, but what
        // the allocator kept of them is still resident.
        List<Term> update = List.of(new Term("optimizer update's scratch (none: the fused AdamW updates in place)", 0),
                new Term("allocator retention from the step", retained));
        long passBytes = pass.stream().mapToLong(Term::bytes).sum();
        long updateBytes = update.stream().mapToLong(Term::bytes).sum();
        train.addAll(passBytes >= updateBytes ? pass : update);
        List<Term> otherPhase = passBytes >= updateBytes ? update : pass;
        String phase = passBytes >= updateBytes ? "the forward and backward" : "the optimizer's update";
        String otherName = passBytes >= updateBytes ? "the optimizer's update" : "the forward and backward";

        List<Term> ref = new ArrayList<>();
        if (in.referenceRows() > 0) {
            long refTokens = (long) in.referenceRows() * in.tokens();
            ref.add(new Term("runtime (JVM, libtorch)", RUNTIME_BYTES));
            ref.add(new Term("parameters (float32)", in.lora() && in.halfFrozen() ? weightBytes : 4 * total));
            double refAll = 10 * d + 9 * q + 6 * kv + 5 * inter + heads;
            long refLayer = (long) (4 * refAll * refTokens);
            ref.add(new Term("one layer's no-grad intermediates", refLayer));
            ref.add(new Term("log-prob kernel", in.kernelBudgetBytes() + 4 * 2 * refTokens * d));
        }
        // The held-out evaluation: a no-grad pass of its batch beside the whole state (moments included).
        List<Term> eval = new ArrayList<>();
        if (in.evaluationRows() > 0) {
            long evalTokens = (long) in.evaluationRows() * in.tokens();
            double perToken = 10 * d + 9 * q + 6 * kv + 5 * inter + heads;
            for (Term t : train) {
                if (isState(t)) {
                    eval.add(t);
                }
            }
            eval.add(new Term("one layer's no-grad intermediates", (long) (4 * perToken * evalTokens)));
            eval.add(new Term("log-prob kernel", in.kernelBudgetBytes() + 4 * 2 * evalTokens * d));
        }
        return new MemoryPlan(in, train, ref, eval, otherPhase, phase, otherName);
    }

    private static boolean isState(Term t) {
        return t.name().startsWith("runtime") || t.name().startsWith("parameters") || t.name().contains("gradients")
                || t.name().contains("AdamW state");
    }

    /** How many adapted projections output each width (d, q, kv, I), in the order q, v, k, o, gate, up, down. */
    private static double[] loraOutputs(int modules) {
        int[] width = {1, 2, 2, 0, 3, 3, 0}; // q → q; v, k → kv; o → d; gate, up → I; down → d
        double[] out = new double[4];
        for (int i = 0; i < Math.min(modules, width.length); i++) {
            out[width[i]]++;
        }
        return out;
    }

    private static long loraPerLayer(int r, int modules, long d, long q, long kv, long inter) {
        // (in + out) · r per module; the projections in order of PEFT's usual choice: q, v, k, o, gate, up, down
        long[] sizes = {d + q, d + kv, d + kv, q + d, d + inter, d + inter, inter + d};
        long sum = 0;
        for (int i = 0; i < Math.min(modules, sizes.length); i++) {
            sum += sizes[i] * r;
        }
        return sum;
    }

    /** What it was computed from. */
    public PlanInput input() {
        return input;
    }

    /** The other phase's terms (the one that is not the training step's peak). */
    List<Term> smallerPhaseTerms() {
        return smallerPhase;
    }

    /** The training step's terms. */
    public List<Term> trainingTerms() {
        return training;
    }

    /** The reference pass's terms (empty when none runs). */
    public List<Term> referenceTerms() {
        return reference;
    }

    /** The training step's estimated peak. */
    public long trainingBytes() {
        return training.stream().mapToLong(Term::bytes).sum();
    }

    /**
     * The terms no data length changes: runtime, parameters, the trainable parameters' gradients and AdamW's
     * moments. A run where these alone exceed the memory available cannot fit with any data.
     */
    public long stateBytes() {
        return training.stream().filter(MemoryPlan::isState).mapToLong(Term::bytes).sum();
    }

    /** The reference pass's estimated peak (0 when none runs). */
    public long referenceBytes() {
        return reference.stream().mapToLong(Term::bytes).sum();
    }

    /** The held-out evaluation's terms (empty when none runs). */
    public List<Term> evaluationTerms() {
        return evaluation;
    }

    /** The held-out evaluation's estimated peak (0 when none runs). */
    public long evaluationBytes() {
        return evaluation.stream().mapToLong(Term::bytes).sum();
    }

    /** The run's estimated peak: the largest phase. */
    public long peakBytes() {
        return Math.max(trainingBytes(), Math.max(referenceBytes(), evaluationBytes()));
    }

    /** The largest phase's name. */
    private String peakPhase() {
        return trainingBytes() >= Math.max(referenceBytes(), evaluationBytes()) ? "training step"
                : referenceBytes() >= evaluationBytes() ? "reference pass" : "held-out evaluation";
    }

    /** The terms of the largest phase, biggest first. */
    public List<Term> biggestTerms() {
        String phase = peakPhase();
        List<Term> t = new ArrayList<>(phase.equals("training step") ? training : phase.equals("reference pass")
                ? reference : evaluation);
        t.sort(Comparator.comparingLong(Term::bytes).reversed());
        return t;
    }

    /** Bytes as GB with one decimal (10^9, as {@code free -g} prints GiB: the unit is named). */
    public static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    /** The plan as log lines. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        PlanInput in = input;
        lines.add(String.format(Locale.ROOT, "memory plan: peak about %s (%s; %d sequences × %d tokens per micro-batch%s%s)",
                gib(peakBytes()), in.lora() ? "LoRA r " + in.loraRank() + " on " + in.loraModulesPerLayer()
                        + " projections per layer" : "full fine-tuning", in.sequences(), in.tokens(),
                in.checkpointing() ? ", activation checkpointing" : "", in.lora() && in.halfFrozen()
                        ? ", FLOAT16 frozen base" : ""));
        long smaller = smallerPhase.stream().mapToLong(Term::bytes).sum();
        lines.add("  training step " + gib(trainingBytes()) + " (state, then " + largerName + "; " + smallerName + " needs "
                + gib(smaller) + " beside the state at another time): " + join(training));
        if (!evaluation.isEmpty()) {
            lines.add("  held-out evaluation " + gib(evaluationBytes()) + " (" + in.evaluationRows()
                    + " sequences a batch): " + join(evaluation));
        }
        if (!reference.isEmpty()) {
            lines.add("  reference pass " + gib(referenceBytes()) + " (" + in.referenceRows() + " sequences a batch): "
                    + join(reference));
        }
        return lines;
    }

    /**
     * Empty when the plan fits in {@code availableBytes}; otherwise the one-paragraph refusal: the estimate
     * against what is available, the biggest terms, and the settings that would fit (each with its estimate).
     */
    public java.util.Optional<String> refusal(long availableBytes) {
        if (peakBytes() <= availableBytes) {
            return java.util.Optional.empty();
        }
        List<Term> big = biggestTerms();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "this run needs about %s of memory at its peak (the %s) but %s is available; the biggest terms: ",
                gib(peakBytes()), peakPhase(),
                gib(availableBytes)));
        for (int i = 0; i < Math.min(3, big.size()); i++) {
            sb.append(i == 0 ? "" : ", ").append(big.get(i).name()).append(' ').append(gib(big.get(i).bytes()));
        }
        List<String> fits = new ArrayList<>();
        PlanInput in = input;
        if (!in.checkpointing()) {
            consider(fits, "training.activation_checkpointing: true", in.withCheckpointing(true), availableBytes);
        }
        if (!in.lora()) {
            consider(fits, "lora: {r: 16, target_modules: all-linear}", in.withLora(16, 7), availableBytes);
            consider(fits, "lora: {r: 16, target_modules: all-linear} with checkpointing",
                    in.withLora(16, 7).withCheckpointing(true), availableBytes);
        }
        for (int seqs = in.sequences() / 2; seqs >= 1; seqs /= 2) {
            int factor = in.sequences() / seqs;
            if (consider(fits, "a micro-batch of " + Math.max(1, seqs / 2) + " pair(s) (batch_size " + Math.max(1, seqs / 2)
                    + ", gradient_accumulation ×" + factor + ")", in.withSequences(Math.max(1, seqs),
                    Math.min(in.referenceRows(), Math.max(1, seqs))), availableBytes)) {
                break;
            }
        }
        for (int len = in.tokens() / 2; len >= 64; len /= 2) {
            if (consider(fits, "data.max_length " + len, in.withTokens(len), availableBytes)) {
                break;
            }
        }
        sb.append(". ");
        sb.append(fits.isEmpty() ? "No single change of checkpointing, LoRA, micro-batch or max_length fits: combine them "
                + "or use a machine with more memory" : "Settings that would fit: " + String.join("; ", fits));
        return java.util.Optional.of(sb.toString());
    }

    private static boolean consider(List<String> fits, String change, PlanInput alternative, long available) {
        long peak = of(alternative).peakBytes();
        if (peak <= available) {
            fits.add(change + " (about " + gib(peak) + ")");
            return true;
        }
        return false;
    }

    private static String join(List<Term> terms) {
        StringBuilder sb = new StringBuilder();
        for (Term t : terms) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(t.name()).append(' ').append(gib(t.bytes()));
        }
        return sb.toString();
    }
}
