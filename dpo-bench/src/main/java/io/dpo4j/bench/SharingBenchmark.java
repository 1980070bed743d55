package io.dpo4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.kernel.KernelForward;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.TinyModels;
import io.dpo4j.core.model.TrunkPass;
import io.dpo4j.core.objective.DpoObjective;
import io.dpo4j.core.train.AdamW;
import io.dpo4j.core.train.BatchLayout;
import io.dpo4j.core.train.Gradients;
import io.dpo4j.core.train.ScoringBatch;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A benchmark (not a test) of prompt sharing and packing: the same DPO training step (cached reference
 * log-probs; trunk forward, chunked log-prob kernel, DPO loss, backward, global-norm clip, AdamW) on the
 * same pairs in each {@link BatchLayout}, on a SmolLM2-135M-shaped model with random weights, reporting
 * seconds and CPU seconds per step and tokens per second, where tokens are the unshared sequences' tokens
 * (prompt + chosen + prompt + rejected per pair), the same count in every layout, so the ratio of tokens/s
 * is the ratio of step times. It also checks that every layout's log-probs equal the padded rows', and marks
 * the layout that {@link BatchLayout#defaults()} (sharing by estimated FLOPs) picks with "(= auto)".
 *
 * <pre>
 * dpo-bench/sharing-bench.sh [--scenarios long,short,mixed] [--steps 2] [--warmup 1] [--shape smollm2-135m|tiny]
 *                            [--layers N] [--no-checkpointing] [--output FILE.md]
 * </pre>
 *
 * Scenarios: {@code long} (4 pairs, prompt 512, chosen and rejected 128), {@code short} (4 pairs × 256
 * tokens: prompt 32, responses 224), {@code mixed} (8 pairs, prompts 16–128 and responses 16–224 tokens,
 * uniformly drawn: where packing helps). Activation checkpointing is on unless {@code --no-checkpointing}
 * (without it the long scenario's padded step needs about 16 GB). {@code --layers N} keeps the shape's
 * layers but only N of them (a lighter proxy: embeddings, lm_head and each layer as in the full shape).
 */
public final class SharingBenchmark {

    private static final int PAD = 0;

    private SharingBenchmark() {
    }

    /** One batch of pairs: the step's order, every chosen sequence then every rejected one. */
    record Scenario(String name, String description, List<TokenIds> prompts, List<TokenIds> responses,
            List<String> layouts) {

        int pairs() {
            return prompts.size() / 2;
        }

        long tokens() {
            long n = 0;
            for (int i = 0; i < prompts.size(); i++) {
                n += prompts.get(i).length() + responses.get(i).length();
            }
            return n;
        }
    }

    /** A layout by name. */
    static BatchLayout layout(String name) {
        return switch (name) {
            case "padded" -> BatchLayout.padded();
            case "shared" -> BatchLayout.padded().withSharing(BatchLayout.Sharing.ON);
            case "packed" -> BatchLayout.padded().withPacking(0);
            case "shared+packed" -> BatchLayout.padded().withSharing(BatchLayout.Sharing.ON).withPacking(0);
            case "auto" -> BatchLayout.defaults();
            default -> throw new IllegalArgumentException("unknown layout " + name);
        };
    }

    static Scenario scenario(String name, int vocab) {
        SplittableRandom r = new SplittableRandom(name.hashCode());
        return switch (name) {
            case "long" -> pairs(name, "4 pairs, prompt 512, chosen 128, rejected 128", r, vocab, 4, 512, 512, 128, 128,
                    List.of("padded", "shared"));
            case "short" -> pairs(name, "4 pairs × 256 tokens: prompt 32, chosen 224, rejected 224", r, vocab, 4, 32, 32,
                    224, 224, List.of("padded", "shared"));
            case "mixed" -> pairs(name, "8 pairs, prompts 16–128, responses 16–224 tokens (uniform)", r, vocab, 8, 16,
                    128, 16, 224, List.of("padded", "packed", "shared", "shared+packed"));
            default -> throw new IllegalArgumentException("unknown scenario " + name + " (long, short, mixed)");
        };
    }

    private static Scenario pairs(String name, String description, SplittableRandom r, int vocab, int n, int pMin,
            int pMax, int rMin, int rMax, List<String> layouts) {
        List<TokenIds> prompts = new ArrayList<>();
        List<TokenIds> chosen = new ArrayList<>();
        List<TokenIds> rejected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            prompts.add(ids(r, vocab, pMin + r.nextInt(pMax - pMin + 1)));
            chosen.add(ids(r, vocab, rMin + r.nextInt(rMax - rMin + 1)));
            rejected.add(ids(r, vocab, rMin + r.nextInt(rMax - rMin + 1)));
        }
        List<TokenIds> p = new ArrayList<>(prompts);
        p.addAll(prompts);
        List<TokenIds> responses = new ArrayList<>(chosen);
        responses.addAll(rejected);
        return new Scenario(name, description, p, responses, layouts);
    }

    private static TokenIds ids(SplittableRandom r, int vocab, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = 1 + r.nextInt(vocab - 1);
        }
        return TokenIds.of(out);
    }

    /** One layout's measurement. */
    record Row(String layout, boolean shared, long trunkTokens, double seconds, double cpuSeconds, double[] logProbs) {
    }

    /** {@code SharingBenchmark [--scenarios a,b] [--steps N] [--warmup N] [--shape S] [--no-checkpointing] [--output F]}. */
    public static void main(String[] args) throws IOException {
        System.setProperty("ai.djl.offline", "true");
        List<String> scenarios = List.of("long", "short", "mixed");
        int steps = 2;
        int warmup = 1;
        String shape = "smollm2-135m";
        int layers = 0;
        boolean checkpointing = true;
        Path output = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--scenarios" -> scenarios = List.of(args[++i].split(","));
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--shape" -> shape = args[++i];
                case "--layers" -> layers = Integer.parseInt(args[++i]);
                case "--no-checkpointing" -> checkpointing = false;
                case "--output" -> output = Path.of(args[++i]);
                default -> {
                    System.err.println("unknown option " + args[i] + "; see the class comment of " +
                            SharingBenchmark.class.getName());
                    System.exit(2);
                }
            }
        }
        LlamaConfig config = shape.equals("tiny")
                ? LlamaConfig.builder().vocabSize(512).hiddenSize(64).intermediateSize(128).numLayers(2).numHeads(4)
                        .numKeyValueHeads(2).tieWordEmbeddings(true).tokenIds(0, List.of(0), null).build()
                : ModelThroughput.smolLm2Shape();
        if (layers > 0) {
            LlamaConfig c = config;
            config = LlamaConfig.builder().vocabSize(c.vocabSize()).hiddenSize(c.hiddenSize())
                    .intermediateSize(c.intermediateSize()).numLayers(layers).numHeads(c.numHeads())
                    .numKeyValueHeads(c.numKeyValueHeads()).headDim(c.headDim()).ropeTheta(c.ropeTheta())
                    .rmsNormEps(c.rmsNormEps()).tieWordEmbeddings(c.tieWordEmbeddings()).tokenIds(0, List.of(0), null)
                    .build();
            shape = shape + " with " + layers + " of its layers";
        }
        int threads = io.dpo4j.core.train.Threads.configure(0, config.parameterCount());
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "machine: %d cores, Java %s, %s %s, %d intra-op threads; load average "
                + "before: %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(), threads, loadAverage()));
        out.append(String.format(Locale.ROOT, "model: %s shape, %,d parameters, random weights; activation "
                + "checkpointing %s; %d warm-up + %d timed steps per layout%n%n", shape, config.parameterCount(),
                checkpointing ? "on" : "off", warmup, steps));
        out.append("| scenario | layout | trunk tokens (B×T) | s / step | CPU s / step | tokens/s | vs padded | max relative \\|Δ logp\\| |\n");
        out.append("|---|---|---|---|---|---|---|---|\n");
        System.out.print(out);
        try (LlamaModel model = TinyModels.randomInit(config, 0)) {
            model.setTrainable(true);
            LogProbKernel kernel = KernelType.CHUNKED.create();
            ConfiguredObjective dpo = new DpoObjective().configure(Map.of("beta", 0.1));
            try (AdamW adam = new AdamW(model.manager(), 0.9, 0.999, 1e-8, 0.0)) {
                for (String name : scenarios) {
                    Scenario s = scenario(name, config.vocabSize());
                    Map<String, Row> rows = new LinkedHashMap<>();
                    boolean autoShares;
                    try (NDManager m = model.manager().newSubManager()) {
                        autoShares = BatchLayout.defaults().arrange(s.prompts(), s.responses(), PAD, config, m).shared();
                    }
                    for (String layout : s.layouts()) {
                        Row row = measure(model, kernel, dpo, adam, s, layout, checkpointing, warmup, steps);
                        rows.put(layout, row);
                        Row padded = rows.get("padded");
                        double delta = 0;
                        for (int i = 0; i < row.logProbs().length; i++) {
                            delta = Math.max(delta, Math.abs(row.logProbs()[i] - padded.logProbs()[i])
                                    / Math.max(1, Math.abs(padded.logProbs()[i])));
                        }
                        String line = String.format(Locale.ROOT, "| %s: %s | %s%s | %,d | %.2f | %.2f | %.0f | %.2f× | %.1e |%n",
                                s.name(), s.description(), layout, (layout.startsWith("shared") == autoShares
                                        && !layout.contains("packed")) ? " (= auto)" : "", row.trunkTokens(),
                                row.seconds(), row.cpuSeconds(), s.tokens() / row.seconds(),
                                padded.seconds() / row.seconds(), delta);
                        System.out.print(line);
                        out.append(line);
                    }
                }
            }
        }
        String after = String.format(Locale.ROOT, "%nload average after: %s%n", loadAverage());
        System.out.print(after);
        out.append(after);
        if (output != null) {
            Files.writeString(output, out.toString());
        }
    }

    private static Row measure(LlamaModel model, LogProbKernel kernel, ConfiguredObjective dpo, AdamW adam, Scenario s,
            String layoutName, boolean checkpointing, int warmup, int steps) {
        BatchLayout layout = layout(layoutName);
        double seconds = 0;
        double cpu = 0;
        double[] logps = null;
        boolean shared = false;
        long trunk = 0;
        // The weights are restored after each layout's steps so that every layout sees the same model.
        Map<String, float[]> initial = new LinkedHashMap<>();
        model.trainableParameters().forEach((k, v) -> initial.put(k, v.toFloatArray()));
        for (int step = 0; step < warmup + steps; step++) {
            long start = System.nanoTime();
            long cpuStart = cpuNanos();
            try (NDManager m = model.manager().newSubManager()) {
                ScoringBatch batch = layout.arrange(s.prompts(), s.responses(), PAD, model.config(), m);
                shared = batch.shared();
                trunk = batch.trunkTokens();
                double[] values = step(model, kernel, dpo, batch, m, checkpointing);
                if (step == 0) {
                    logps = values;
                }
                try (NDManager scratch = model.manager().newSubManager()) {
                    Gradients.clipGlobalNorm(model.trainableParameters(), 1.0, scratch);
                }
                adam.update(model.trainableParameters(), 1e-6);
                Gradients.zero(model.trainableParameters());
            }
            if (step >= warmup) {
                seconds += (System.nanoTime() - start) / 1e9;
                cpu += (cpuNanos() - cpuStart) / 1e9;
            }
        }
        model.trainableParameters().forEach((k, v) -> v.set(initial.get(k)));
        return new Row(layoutName, shared, trunk, seconds / steps, cpu / steps, logps);
    }

    /** Forward, DPO with fixed reference log-probs, backward; the policy log-probs. */
    private static double[] step(LlamaModel model, LogProbKernel kernel, ConfiguredObjective dpo, ScoringBatch batch,
            NDManager m, boolean checkpointing) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            TrunkPass pass = batch.trainingPass(model, m, checkpointing, 0);
            double[] values;
            try (KernelForward f = kernel.forward(batch.kernelInput(m, pass.hidden(), model.lmHeadWeight()), gc)) {
                NDArray leaf = f.statistics().logProbs().duplicate();
                leaf.setRequiresGradient(true);
                values = ObjectiveMath.toDoubles(leaf);
                int n = values.length / 2;
                double[] reference = new double[values.length];
                for (int i = 0; i < reference.length; i++) {
                    reference[i] = values[i] + (i < n ? -0.5 : 0.5);
                }
                NDArray ref = m.create(reference).toType(leaf.getDataType(), false);
                NDArray tokens = batch.responseTokens();
                NDIndex first = new NDIndex("0:" + n);
                NDIndex second = new NDIndex(n + ":");
                SequenceStatistics stats = SequenceStatistics.paired()
                        .put(Statistic.POLICY_CHOSEN, leaf.get(first)).put(Statistic.POLICY_REJECTED, leaf.get(second))
                        .put(Statistic.CHOSEN_TOKENS, tokens.get(first)).put(Statistic.REJECTED_TOKENS, tokens.get(second))
                        .put(Statistic.REFERENCE_CHOSEN, ref.get(first)).put(Statistic.REFERENCE_REJECTED, ref.get(second))
                        .build();
                ObjectiveResult r = dpo.compute(stats);
                gc.backward(r.loss());
                f.backward(leaf.getGradient());
            }
            pass.backward();
            return values;
        }
    }

    private static long cpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
