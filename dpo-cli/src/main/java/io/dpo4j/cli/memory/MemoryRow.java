package io.dpo4j.cli.memory;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.cli.DpoCli;
import io.dpo4j.core.data.BatchArrays;
import io.dpo4j.core.data.PaddedSequences;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.kernel.ChunkedLogProbKernel;
import io.dpo4j.core.kernel.KernelForward;
import io.dpo4j.core.kernel.LogProbInput;
import io.dpo4j.core.lora.LoraAdapter;
import io.dpo4j.core.lora.LoraSettings;
import io.dpo4j.core.lora.TargetModules;
import io.dpo4j.core.memory.AvailableMemory;
import io.dpo4j.core.memory.MemoryPlan;
import io.dpo4j.core.memory.PlanInput;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.ParameterSpec;
import io.dpo4j.core.model.TrunkPass;
import io.dpo4j.core.objective.DpoObjective;
import io.dpo4j.core.train.AdamW;
import io.dpo4j.core.train.Gradients;
import io.dpo4j.core.train.SequenceScorer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One row of the memory benchmark, run in a process of its own so that its peak resident memory
 * ({@code VmHWM}) is its own: a random-weight model of a real shape, the no-grad reference pass over the
 * step's sequences (LoRA: the adapters switched off), then {@code --steps} DPO training steps (default 2;
 * each: trunk forward, the chunked log-prob kernel, the DPO loss, backward, global-norm clipping, an AdamW
 * update) with one optimizer across them, whose gradient buffers and moments are allocated before the first
 * step as the trainers do. Two steps, because a run's steady state is its second and later steps (until the
 * trainers allocated them up front, the first update created AdamW's moments after the first step's activations
 * were freed, and every later step held them through its forward and backward). Prints one {@code ROW {json}}
 * line; the tokens/s are the last step's (the first includes the warm-up).
 *
 * <pre>MemoryRow SHAPE MODE PAIRS TOKENS [--fp16] [--steps N]</pre>
 */
public final class MemoryRow {

    static final String PREFIX = "ROW ";
    static final int RANK = 16;
    static final double ALPHA = 32;

    private static int row_threads;
    /** Resident and peak memory (MiB) at points of the step, for the log. */
    static final Map<String, String> MARKS = new LinkedHashMap<>();

    private static String stepName = "";

    static void mark(String name) {
        MARKS.put(stepName + name, (AvailableMemory.residentBytes() >> 20) + "/" + (AvailableMemory.peakResidentBytes() >> 20));
    }

    private MemoryRow() {
    }

    /** The plan the row is measured against. */
    static PlanInput planInput(RealShapes shape, TrainingMode mode, int pairs, int tokens, boolean fp16) {
        return new PlanInput(shape.config(), 2 * pairs, tokens, tokens - prompt(tokens), mode.lora() ? RANK : 0,
                mode.lora() ? 7 : 0, false, mode.checkpointing(), fp16, 2 * pairs,
                ChunkedLogProbKernel.DEFAULT_BUDGET_BYTES);
    }

    static int prompt(int tokens) {
        return Math.max(1, tokens / 4);
    }

    public static void main(String[] args) throws Exception {
        DpoCli.configureEnvironment();
        RealShapes shape = RealShapes.fromId(args[0]);
        boolean scoreOnly = args[1].equals("score"); // the no-grad pass alone (dpo score's path), 2·PAIRS sequences
        TrainingMode mode = scoreOnly ? TrainingMode.LORA : TrainingMode.fromId(args[1]);
        int pairs = Integer.parseInt(args[2]);
        int tokens = Integer.parseInt(args[3]);
        List<String> rest = java.util.Arrays.asList(args);
        boolean fp16 = rest.contains("--fp16");
        int steps = rest.contains("--steps") ? Integer.parseInt(rest.get(rest.indexOf("--steps") + 1)) : 2;
        int threads = Integer.getInteger("dpo.threads", 0);
        row_threads = io.dpo4j.core.train.Threads.configure(threads, shape.config().parameterCount());
        LlamaConfig config = shape.config();
        startWatchdog(Long.getLong("dpo.rssLimitMib", 14 * 1024) << 20, shape, mode, pairs, tokens);
        MemoryPlan plan = MemoryPlan.of(planInput(shape, mode, pairs, tokens, fp16));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("shape", shape.id());
        row.put("mode", scoreOnly ? "score" : mode.id() + (fp16 ? "+fp16" : ""));
        row.put("pairs", pairs);
        row.put("tokens", tokens);
        row.put("steps", steps);
        row.put("parameters", config.parameterCount());
        row.put("threads", row_threads);
        row.put("plan_bytes", plan.peakBytes());
        row.put("plan_training_bytes", plan.trainingBytes());
        row.put("plan_reference_bytes", plan.referenceBytes());
        row.put("rss_start_bytes", AvailableMemory.residentBytes());
        long t0 = System.nanoTime();
        try (NDManager root = NDManager.newBaseManager(); LlamaModel model = randomModel(config, root.newSubManager())) {
            row.put("load_seconds", (System.nanoTime() - t0) / 1e9);
            row.put("rss_loaded_bytes", AvailableMemory.residentBytes());
            if (mode.lora() && !scoreOnly) {
                LoraAdapter adapter = LoraAdapter.create(model, new LoraSettings(RANK, ALPHA, 0,
                        TargetModules.regex(TargetModules.ALL_LINEAR), false), 1);
                model.attachAdapter(adapter);
                row.put("trainable", adapter.size());
                if (fp16) {
                    model.holdFrozenWeightsAs(DataType.FLOAT16);
                }
            } else {
                row.put("trainable", config.parameterCount());
            }
            SplittableRandom random = new SplittableRandom(7);
            List<TokenIds> prompts = new ArrayList<>();
            List<TokenIds> responses = new ArrayList<>();
            for (int i = 0; i < 2 * pairs; i++) {
                prompts.add(randomIds(random, prompt(tokens), config.vocabSize()));
                responses.add(randomIds(random, tokens - prompt(tokens), config.vocabSize()));
            }
            ChunkedLogProbKernel kernel = new ChunkedLogProbKernel();
            // the reference pass: the same model without gradient (LoRA: adapters off)
            long r0 = System.nanoTime();
            model.setTrainable(false);
            model.setAdapterEnabled(false);
            double[] reference = new SequenceScorer(model, kernel, 0, 2 * pairs).score(prompts, responses, root, null);
            model.setAdapterEnabled(true);
            model.setTrainable(true);
            row.put("reference_seconds", (System.nanoTime() - r0) / 1e9);
            row.put("rss_peak_after_reference_bytes", AvailableMemory.peakResidentBytes());
            row.put("weights_bytes", model.parameterBytes());
            if (scoreOnly) {
                row.put("tokens_per_second", 2.0 * pairs * tokens / ((System.nanoTime() - r0) / 1e9));
                row.put("peak_rss_bytes", AvailableMemory.peakResidentBytes());
                System.out.println(PREFIX + new ObjectMapper().writeValueAsString(row));
                return;
            }
            double loss = Double.NaN;
            double seconds = Double.NaN;
            try (AdamW adam = new AdamW(root, 0.9, 0.999, 1e-8, 0.0)) {
                // as the trainers do: the gradient buffers and moments before the first step
                adam.prepare(model.trainableParameters());
                for (int s = 1; s <= steps; s++) {
                    long s0 = System.nanoTime();
                    stepName = "s" + s + " ";
                    mark("before step");
                    loss = step(model, kernel, prompts, responses, reference, pairs, mode.checkpointing(), root, adam);
                    seconds = (System.nanoTime() - s0) / 1e9;
                    row.put("peak_rss_after_step" + s + "_bytes", AvailableMemory.peakResidentBytes());
                    row.put("step" + s + "_seconds", seconds);
                }
            }
            row.put("loss", loss);
            row.put("step_seconds", seconds);
            row.put("tokens_per_second", 2.0 * pairs * tokens / seconds);
        }
        row.put("peak_rss_bytes", AvailableMemory.peakResidentBytes());
        row.put("marks_rss_peak_mib", MARKS);
        System.out.println(PREFIX + new ObjectMapper().writeValueAsString(row));
    }

    /**
     * Stops the process (exit 3, one {@code ROW} line saying so) when its resident memory passes
     * {@code limit}: on a shared machine a row that would not fit must not bring the kernel's OOM killer
     * onto other processes.
     */
    private static void startWatchdog(long limit, RealShapes shape, TrainingMode mode, int pairs, int tokens) {
        Thread t = new Thread(() -> {
            while (true) {
                long rss = AvailableMemory.residentBytes();
                if (rss > limit) {
                    System.out.println(PREFIX + "{\"shape\":\"" + shape.id() + "\",\"mode\":\"" + mode.id()
                            + "\",\"pairs\":" + pairs + ",\"tokens\":" + tokens + ",\"stopped_over_bytes\":" + limit
                            + ",\"marks_rss_peak_mib\":\"" + MARKS + "\"}");
                    System.out.flush();
                    Runtime.getRuntime().halt(3);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-watchdog");
        t.setDaemon(true);
        t.start();
    }

    /** {@code n} token ids drawn uniformly from {@code 1 .. vocab-1}. */
    public static TokenIds randomIds(SplittableRandom random, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 1 + random.nextInt(vocab - 1);
        }
        return TokenIds.of(ids);
    }

    /** Llama's initialisation drawn by the engine (fast at any size): normal(0, 0.02) matrices, unit norms, zero biases. */
    public static LlamaModel randomModel(LlamaConfig config, NDManager manager) {
        Engine.getInstance().setRandomSeed(1);
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        for (ParameterSpec spec : config.parameterSpecs()) {
            parameters.put(spec.name(), switch (spec.kind()) {
                case MATRIX -> manager.randomNormal(0f, 0.02f, spec.shape(), DataType.FLOAT32);
                case NORM -> manager.ones(spec.shape());
                case BIAS -> manager.zeros(spec.shape());
            });
        }
        return LlamaModel.of(config, manager, parameters);
    }

    /** One DPO step as the trainer takes it; returns the loss. */
    static double step(LlamaModel model, ChunkedLogProbKernel kernel, List<TokenIds> prompts, List<TokenIds> responses,
            double[] reference, int pairs, boolean checkpointing, NDManager root, AdamW adam) {
        ConfiguredObjective dpo = new DpoObjective().configureDefaults();
        double loss;
        try (NDManager step = root.newSubManager()) {
            BatchArrays arrays = PaddedSequences.of(prompts, responses, 0).toArrays(step, DataType.FLOAT32);
            NDArray ids = arrays.inputIds();
            NDArray positions = SequenceScorer.positions(step, (int) ids.getShape().get(0), (int) ids.getShape().get(1));
            try (GradientCollector gc = step.getEngine().newGradientCollector()) {
                TrunkPass pass = model.trainingPass(ids, arrays.attentionMask(), positions, checkpointing, 1);
                try (KernelForward f = kernel.forward(LogProbInput.of(step, pass.hidden(), model.lmHeadWeight(),
                        arrays.labels(), arrays.responseMask()), gc)) {
                    mark("forward");
                    NDArray leaf = f.statistics().logProbs().duplicate();
                    leaf.setRequiresGradient(true);
                    double[] rc = new double[pairs];
                    double[] rr = new double[pairs];
                    for (int i = 0; i < pairs; i++) {
                        rc[i] = reference[i];
                        rr[i] = reference[pairs + i];
                    }
                    SequenceStatistics s = SequenceStatistics.paired()
                            .put(Statistic.POLICY_CHOSEN, leaf.get(new NDIndex("0:" + pairs)))
                            .put(Statistic.POLICY_REJECTED, leaf.get(new NDIndex(pairs + ":")))
                            .put(Statistic.REFERENCE_CHOSEN, step.create(rc).toType(DataType.FLOAT32, false))
                            .put(Statistic.REFERENCE_REJECTED, step.create(rr).toType(DataType.FLOAT32, false))
                            .build();
                    NDArray l = dpo.compute(s).loss();
                    loss = l.getFloat();
                    gc.backward(l);
                    f.backward(leaf.getGradient());
                    mark("kernel backward");
                }
                pass.backward();
                mark("trunk backward");
            }
        }
        mark("step closed");
        try (NDManager scratch = root.newSubManager()) {
            Gradients.clipGlobalNorm(model.trainableParameters(), 1.0, scratch);
            adam.update(model.trainableParameters(), 1e-5);
            Gradients.zero(model.trainableParameters());
            mark("optimizer");
        }
        return loss;
    }
}
