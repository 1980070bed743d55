package io.dpo4j.cli.step;

import io.dpo4j.cli.memory.MemoryRow;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.cli.DpoCli;
import io.dpo4j.cli.memory.RealShapes;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.memory.AvailableMemory;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.objective.DpoObjective;
import io.dpo4j.core.train.ReferenceCache;
import io.dpo4j.core.train.SequenceScorer;
import io.dpo4j.core.train.Threads;
import io.dpo4j.train.OptimizerSettings;
import io.dpo4j.train.TrainingStep;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One row of the step benchmark, in a process of its own (so its peak resident memory and page faults are
 * its own): a random-weight model of a real shape, {@code pairs} random pairs (prompt, chosen, rejected of
 * the given lengths), the GEMM rate at the model's shapes, the reference log-probs of every sequence
 * scored once without gradient (the cache a DPO run reads), then warm-up and timed optimizer steps of the
 * library's {@link TrainingStep} — DPO with the cached reference, or SFT (token-mean NLL of the same
 * responses) — each step's wall, user and system time and minor faults. Prints one {@code ROW {json}} line.
 *
 * <pre>StepRow SHAPE dpo|sft PAIRS PROMPT RESPONSE STEPS WARMUP [--checkpointing] [--kernel ID]</pre>
 * with {@code -Ddpo.threads=N} (0: the library's policy).
 */
public final class StepRow {

    static final String PREFIX = "ROW ";

    private StepRow() {
    }

    public static void main(String[] args) throws Exception {
        DpoCli.configureEnvironment();
        RealShapes shape = RealShapes.fromId(args[0]);
        String kind = args[1];
        int pairs = Integer.parseInt(args[2]);
        int prompt = Integer.parseInt(args[3]);
        int response = Integer.parseInt(args[4]);
        int steps = Integer.parseInt(args[5]);
        int warmup = Integer.parseInt(args[6]);
        List<String> rest = List.of(args).subList(7, args.length);
        boolean checkpointing = rest.contains("--checkpointing");
        int k = rest.indexOf("--kernel");
        String kernelId = k >= 0 ? rest.get(k + 1) : null;
        LlamaConfig config = shape.config();
        int threads = Threads.configure(Integer.getInteger("dpo.threads", 0), config.parameterCount());
        long tokensPerStep = 2L * pairs * (prompt + response);

        Map<String, Object> row = new LinkedHashMap<>();
        row.put("implementation", "dpo4j");
        row.put("shape", shape.id());
        row.put("kind", kind);
        row.put("pairs", pairs);
        row.put("prompt_tokens", prompt);
        row.put("response_tokens", response);
        row.put("tokens_per_step", tokensPerStep);
        row.put("parameters", config.parameterCount());
        row.put("threads", threads);
        row.put("checkpointing", checkpointing);
        row.put("kernel", kernelId == null ? "default" : kernelId);
        row.put("engine", Engine.getEngine("PyTorch").getVersion());

        // The GEMM rate is probed before the steps and again after them (when the JVM's compiler threads
        // have finished and no longer compete for the cores); the better of the two is the engine's rate.
        double gemmBefore = GemmRate.measure(config, tokensPerStep).flopsPerSecond();
        SplittableRandom random = new SplittableRandom(11);
        List<TokenizedPair> batch = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            batch.add(new TokenizedPair("pair-" + i, "bench:" + i, MemoryRow.randomIds(random, prompt, config.vocabSize()),
                    MemoryRow.randomIds(random, response, config.vocabSize()), MemoryRow.randomIds(random, response, config.vocabSize()),
                    false));
        }
        List<Double> wall = new ArrayList<>();
        List<Double> user = new ArrayList<>();
        List<Double> system = new ArrayList<>();
        List<Long> faults = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager(); LlamaModel model = MemoryRow.randomModel(config, root.newSubManager())) {
            ConfiguredObjective objective;
            ReferenceCache cache = null;
            if (kind.equals("dpo")) {
                objective = new DpoObjective().configureDefaults();
                long r0 = System.nanoTime();
                cache = referenceOf(model, batch, root);
                row.put("reference_seconds", (System.nanoTime() - r0) / 1e9);
            } else if (kind.equals("sft")) {
                objective = new SupervisedObjective().configureDefaults();
            } else {
                throw new IllegalArgumentException("unknown step kind " + kind + " (expected dpo or sft)");
            }
            TrainingStep.Builder b = TrainingStep.builder(model, objective).reference(cache)
                    .optimizer(OptimizerSettings.adamW(1e-5)).activationCheckpointing(checkpointing);
            if (kernelId != null) {
                b.kernel(KernelType.fromId(kernelId).create());
            }
            try (TrainingStep step = b.build()) {
                for (int s = 0; s < warmup + steps; s++) {
                    ProcStats p0 = ProcStats.now();
                    long t0 = System.nanoTime();
                    TrainingStep.Result r = step.run(batch);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    ProcStats d = ProcStats.now().minus(p0);
                    if (s >= warmup) {
                        wall.add(seconds);
                        user.add(d.userSeconds());
                        system.add(d.systemSeconds());
                        faults.add(d.minorFaults());
                    }
                    losses.add(r.loss());
                    System.err.printf(java.util.Locale.ROOT, "%s %s step %d%s: %.2f s (user %.2f, sys %.2f, %d minor "
                            + "faults)%n", shape.id(), kind, s + 1, s < warmup ? " (warm-up)" : "", seconds,
                            d.userSeconds(), d.systemSeconds(), d.minorFaults());
                }
            }
        }
        long peakRss = AvailableMemory.peakResidentBytes(); // before the second probe's arrays
        double gemmAfter = GemmRate.measure(config, tokensPerStep).flopsPerSecond();
        row.put("gemm_flops_per_second", Math.max(gemmBefore, gemmAfter));
        row.put("gemm_probes_flops_per_second", List.of(gemmBefore, gemmAfter));
        row.put("step_seconds", wall);
        row.put("user_seconds", user);
        row.put("system_seconds", system);
        row.put("minor_faults", faults);
        row.put("losses", losses);
        row.put("peak_rss_bytes", peakRss);
        System.out.println(PREFIX + new ObjectMapper().writeValueAsString(row));
    }

    /** The reference log-prob of every sequence, scored by the initial policy without gradient (the DPO cache). */
    static ReferenceCache referenceOf(LlamaModel model, List<TokenizedPair> batch, NDManager root) {
        List<TokenIds> prompts = new ArrayList<>();
        List<TokenIds> responses = new ArrayList<>();
        for (TokenizedPair p : batch) {
            prompts.add(p.prompt());
            responses.add(p.chosen());
            prompts.add(p.prompt());
            responses.add(p.rejected());
        }
        model.setTrainable(false);
        double[] values = new SequenceScorer(model, KernelType.CHUNKED.create(), 0, prompts.size())
                .score(prompts, responses, root, null);
        ReferenceCache cache = ReferenceCache.empty();
        for (int i = 0; i < values.length; i++) {
            cache.put(ReferenceCache.Key.of(prompts.get(i).toArray(), responses.get(i).toArray()), values[i]);
        }
        return cache;
    }
}
