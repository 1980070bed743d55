package io.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.api.math.Scalars;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.config.ConfigFiles;
import io.dpo4j.core.config.TrainConfig;
import io.dpo4j.core.data.BatchArrays;
import io.dpo4j.core.data.BatchSampler;
import io.dpo4j.core.data.PairBatch;
import io.dpo4j.core.data.PaddedSequences;
import io.dpo4j.core.data.SamplerPosition;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.data.TokenizedUnpaired;
import io.dpo4j.core.data.UnpairedBatch;
import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.kernel.KernelForward;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.kernel.LogProbInput;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.TrunkPass;
import io.dpo4j.core.model.SaveOptions;
import io.dpo4j.core.model.safetensors.SafetensorsFile;
import io.dpo4j.core.model.safetensors.SafetensorsWriter;
import io.dpo4j.core.model.safetensors.TensorEntry;
import io.dpo4j.core.model.safetensors.TensorSource;
import io.dpo4j.core.synthetic.SyntheticDataset;
import io.dpo4j.core.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The preference-training loop behind {@code dpo train}: its own loop (DJL's EasyTrain is not safe
 * here), a sub-NDManager per micro-batch, the shared log-prob kernel, AdamW, global-norm clipping,
 * exact gradient accumulation, reference statistics from a cache computed once, held-out evaluations
 * with sampling and the §10 diagnostics, atomic checksummed checkpoints and exact resumption.
 *
 * <p>One optimizer step draws {@code batch_size × gradient_accumulation} examples, splits them into
 * micro-batches of {@code batch_size}, and scales each micro-batch's loss by its share of the step,
 * so that k micro-batches give the same gradient as one batch k times larger (for objectives whose
 * loss is a batch mean; KTO's KL reference point is per micro-batch).
 */
public final class PreferenceTrainer {

    /** How a run starts. */
    public record Options(boolean resume, boolean overwrite, Path cacheDir) {
    }

    /** What a finished run reports. */
    public record Summary(Path output, Path model, long steps, double seconds, Map<String, Double> firstEvaluation,
            Map<String, Double> lastEvaluation, List<String> warnings, boolean referenceCacheReused, int referenceScored) {
    }

    /**
     * A step never grows the global norm of the weights more than this many times: beyond, the
     * weights are diverging (a learning rate far too large), even when every value is still finite.
     */
    public static final double MAX_WEIGHT_GROWTH = 10;

    /**
     * Stopped because a loss, a gradient or the weights were not finite — or the weights diverged (one
     * update grew their norm more than {@link #MAX_WEIGHT_GROWTH} times).
     */
    public static final class NonFiniteException extends DpoException {
        private static final long serialVersionUID = 1L;

        NonFiniteException(String message) {
            super(message);
        }
    }

    private final TrainConfig config;
    private final Options options;
    private final PrintWriter log;
    private final Path out;
    private final LogProbKernel kernel;
    private final List<String> warnings = new ArrayList<>();
    private final LoraRun lora;
    /** Activation checkpointing per decoder layer, resolved from the configuration and the model's size. */
    private boolean checkpointing;
    /** Sequences per batch of the reference pass, sized by the memory plan. */
    private int referenceRows;

    public PreferenceTrainer(TrainConfig config, Options options, PrintWriter log) {
        this.config = config;
        this.options = options;
        this.log = log;
        this.out = config.output();
        long budget = (long) config.kernel().memoryBudgetMb() << 20;
        this.kernel = KernelType.fromId(config.kernel().implementation().name().toLowerCase(Locale.ROOT)).create(budget);
        this.lora = LoraRun.enabled(config) ? new LoraRun(config, log) : null;
        this.referenceRows = 4 * config.training().batchSize();
    }

    /** The configuration's cache folder default: {@code .cache} beside the run folder. */
    public static Path defaultCacheDir(Path output) {
        Path parent = output.toAbsolutePath().getParent();
        return (parent == null ? output.toAbsolutePath() : parent).resolve(".cache");
    }

    /** Runs the whole job; returns its summary. */
    public Summary run() throws IOException {
        // Everything that can be checked without a model comes first, and creates nothing: a refused
        // run leaves no run folder behind.
        Preflight.check(config, options.resume(), options.overwrite(), needsReference());
        Path cache = options.cacheDir() == null ? defaultCacheDir(out) : options.cacheDir();
        Path synthetic = null;
        if (needsSynthetic()) {
            Files.createDirectories(cache);
            synthetic = syntheticData(cache);
        }
        PreparedData.Loaded loaded = PreparedData.load(config, synthetic, log);
        if (config.sft().data() != null && warmsUp()) {
            TextCorpus.read(Path.of(config.sft().data())); // a malformed corpus stops the run here, not after setup
        }
        io.dpo4j.core.model.LlamaConfig architecture = TrainConfig.TINY.equals(config.model()) ? null
                : io.dpo4j.core.model.LlamaConfig.read(ModelHub.requireModelFolder(Path.of(config.model()), "model")
                        .resolve(HuggingFaceCheckpoint.CONFIG));
        long parameters = architecture == null ? 0 : architecture.parameterCount();
        checkpointing = MemoryPlanning.checkpointing(config, parameters);
        if (architecture != null) {
            // Before anything is loaded or created: a run that cannot fit is refused here, with the plan.
            referenceRows = Math.max(1, MemoryPlanning.check(config, architecture, checkpointing,
                    needsReference() && !LoraRun.liveReference(config), log).input().referenceRows());
        }
        RunFolder.prepare(config, options.resume(), options.overwrite(), log);
        Threads.configure(config.threads(), parameters);
        // The cache folder is created by the first write into it: a run refused at load touches nothing outside its folder.
        Path initial = new ModelHub(cache, log).initialPolicy(config, synthetic, kernel);
        try (TextTokenizer tokenizer = TextTokenizer.load(initial)) {
            io.dpo4j.core.model.LlamaConfig modelConfig = io.dpo4j.core.model.LlamaConfig.read(
                    initial.resolve(HuggingFaceCheckpoint.CONFIG));
            RunFolder.checkTokenizer(tokenizer, modelConfig.vocabSize(), initial);
            io.dpo4j.core.tokenizer.SpecialTokens special = io.dpo4j.core.tokenizer.SpecialTokens.resolve(tokenizer,
                    modelConfig, initial);
            TokenizerEncoder encoder = new TokenizerEncoder(tokenizer, special);
            int pad = special.pad();
            PreparedData data = PreparedData.prepare(config, synthetic, loaded, tokenizer, encoder, special,
                    modelConfig.maxPositionEmbeddings(), log);
            BatchSampler sampler = new BatchSampler(data.trainSize(), effectiveBatch(data), config.seed(), false);
            long totalSteps = totalSteps(sampler);
            ReferencePass.Outcome reference = needsReference() && !LoraRun.liveReference(config)
                    ? reference(data, sampler, totalSteps, initial, pad, cache) : null;
            return train(data, sampler, totalSteps, initial, tokenizer, pad, reference);
        }
    }

    /** True when the supervised warm-up runs before preference training. */
    private boolean warmsUp() {
        return config.sft().enabled() == TrainConfig.SftMode.TRUE
                || (config.sft().enabled() == TrainConfig.SftMode.AUTO && TrainConfig.TINY.equals(config.model()));
    }

    private boolean needsSynthetic() {
        return config.data().synthetic() || (TrainConfig.TINY.equals(config.model()) && config.sft().data() == null);
    }

    private boolean needsReference() {
        return config.objectives().stream().anyMatch(o -> o.configured().requirements().needsReference());
    }

    private Path syntheticData(Path cache) throws IOException {
        Path folder = cache.resolve("synthetic-" + config.seed());
        if (!Files.isRegularFile(folder.resolve("dataset.json"))) {
            log.println("data: generating the built-in controlled-sentiment data set (seed " + config.seed() + ") in "
                    + folder);
            new SyntheticDataset().write(folder, SyntheticDataset.Settings.defaults(config.seed()));
        }
        return folder;
    }

    private int effectiveBatch(PreparedData data) {
        return Math.min(data.trainSize(), config.training().batchSize() * config.training().gradientAccumulation());
    }

    private long totalSteps(BatchSampler sampler) {
        Integer max = config.training().maxSteps();
        return max != null ? max : (long) sampler.batchesPerEpoch() * config.training().epochs();
    }

    // ------------------------------------------------------------------------------------------
    // Reference statistics

    private ReferencePass.Outcome reference(PreparedData data, BatchSampler sampler, long totalSteps, Path initial,
            int pad, Path cache) throws IOException {
        Path referenceAdapter = config.reference() != null
                && io.dpo4j.core.lora.PeftAdapterFiles.isAdapter(Path.of(config.reference()))
                ? Path.of(config.reference()) : null; // a PEFT adapter on the base: TRL's "SFT adapter as reference"
        Path referenceFolder = config.reference() == null || referenceAdapter != null ? initial
                : ModelHub.requireModelFolder(Path.of(config.reference()), "reference");
        List<TokenIds[]> sequences = new ArrayList<>();
        for (TokenizedPair p : data.trainPairs()) {
            sequences.add(new TokenIds[] {p.prompt(), p.chosen()});
            sequences.add(new TokenIds[] {p.prompt(), p.rejected()});
        }
        for (TokenizedPair p : data.validationPairs()) {
            sequences.add(new TokenIds[] {p.prompt(), p.chosen()});
            sequences.add(new TokenIds[] {p.prompt(), p.rejected()});
        }
        for (TokenizedUnpaired u : data.trainUnpaired()) {
            sequences.add(new TokenIds[] {u.prompt(), u.completion()});
        }
        for (TokenizedUnpaired u : data.validationUnpaired()) {
            sequences.add(new TokenIds[] {u.prompt(), u.completion()});
        }
        if (data.layout() == DataLayout.UNPAIRED && needsMismatched()) {
            // KTO's mismatched pairs depend on which examples share a micro-batch: walk the sampler.
            SamplerPosition position = SamplerPosition.START;
            for (long step = 0; step < totalSteps; step++) {
                int[] indices = sampler.batch(position);
                position = sampler.next(position);
                for (List<TokenizedUnpaired> micro : microBatches(data.trainUnpaired(), indices)) {
                    UnpairedBatch.of(micro, pad, true, data.truncation().maxLength()).mismatched().ifPresent(m -> {
                        for (int r = 0; r < m.rows(); r++) {
                            sequences.add(new TokenIds[] {m.promptIds(r), m.responseIds(r)});
                        }
                    });
                }
            }
        }
        String key = ReferenceCache.cacheKey(ModelHub.fingerprint(referenceFolder)
                + (referenceAdapter == null ? "" : "+" + ModelHub.fingerprint(referenceAdapter)), data.fingerprint(),
                data.truncation().describe());
        return ReferencePass.run(referenceFolder, referenceAdapter, ReferencePass.file(cache, key), sequences, kernel, pad,
                referenceRows, log);
    }

    private boolean needsMismatched() {
        return config.objectives().stream().anyMatch(o -> o.configured().requirements().needsMismatchedPairs());
    }

    private <T> List<List<T>> microBatches(List<T> all, int[] indices) {
        int size = config.training().batchSize();
        List<List<T>> out = new ArrayList<>();
        for (int start = 0; start < indices.length; start += size) {
            List<T> micro = new ArrayList<>();
            for (int i = start; i < Math.min(indices.length, start + size); i++) {
                micro.add(all.get(indices[i]));
            }
            out.add(micro);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // The loop

    private Summary train(PreparedData data, BatchSampler sampler, long totalSteps, Path initial,
            TextTokenizer tokenizer, int pad, ReferencePass.Outcome reference) throws IOException {
        CheckpointStore store = new CheckpointStore(out.resolve("checkpoints"), config.training().keepCheckpoints());
        Optional<CheckpointStore.Checkpoint> resumeFrom = options.resume()
                ? store.latestValid(m -> log.println("warning: " + m)) : Optional.empty();
        if (options.resume() && resumeFrom.isEmpty()) {
            log.println("resume: no usable checkpoint in " + store.root() + "; starting from the beginning");
        }
        // A LoRA checkpoint holds only the adapter: the frozen base is the initial policy.
        Path weights = lora != null ? initial : resumeFrom.map(c -> c.folder().resolve("model")).orElse(initial);
        TrainerState state = resumeFrom.map(c -> TrainerState.read(c.folder())).orElse(null);
        LearningRateSchedule schedule = new LearningRateSchedule(config.optimizer().lr(), config.schedule().warmupSteps(),
                config.schedule().decay(), totalSteps);
        Diagnostics diagnostics = new Diagnostics();
        List<Diagnostics.Evaluation> history = new ArrayList<>();
        Map<String, Double> firstEval = null;
        Map<String, Double> lastEval = null;
        long step = 0;
        SamplerPosition position = SamplerPosition.START;
        double seconds = 0;
        long tokens = 0;
        if (state != null) {
            step = state.step();
            position = new SamplerPosition(state.epoch(), state.index());
            for (Diagnostics.Evaluation e : state.evaluations()) {
                diagnostics.observe(e);
                history.add(e);
            }
            firstEval = state.firstEvaluation();
            lastEval = state.lastEvaluation();
            seconds = state.seconds();
            tokens = state.tokens();
            log.println("resume: continuing from " + resumeFrom.get().folder() + " (step " + step + " of " + totalSteps
                    + ")");
        }
        Evaluator evaluator = new Evaluator(data, reference == null ? null : reference.cache(), pad,
                io.dpo4j.core.tokenizer.SpecialTokens.resolve(tokenizer, io.dpo4j.core.model.LlamaConfig.read(
                        initial.resolve(HuggingFaceCheckpoint.CONFIG)), initial).eos(), tokenizer);
        try (NDManager root = NDManager.newBaseManager();
                LlamaModel policy = HuggingFaceCheckpoint.load(weights, root.newSubManager());
                AdamW adam = new AdamW(root, config.optimizer().beta1(), config.optimizer().beta2(),
                        config.optimizer().eps(), config.optimizer().weightDecay());
                MetricsLog metrics = state == null ? MetricsLog.create(out.resolve("metrics.jsonl"))
                        : MetricsLog.resume(out.resolve("metrics.jsonl"), step)) {
            if (lora != null) {
                lora.attach(policy, resumeFrom.map(CheckpointStore.Checkpoint::folder).orElse(null));
            }
            if (state != null) {
                restoreOptimizer(adam, resumeFrom.get().folder(), state, root);
            }
            policy.setTrainable(true);
            if (LoraRun.liveReference(config) && needsReference()) {
                evaluator = new Evaluator(data, validationReference(policy, data, pad, root), pad,
                        (int) tokenizer.eosTokenId().orElse(-1), tokenizer);
            }
            if (step == 0) {
                firstEval = evaluate(step, policy, evaluator, diagnostics, history, metrics, root, null);
                lastEval = firstEval;
            }
            long startNanos = System.nanoTime() - (long) (seconds * 1e9);
            long lastCheckpoint = step;
            Path lastCheckpointFolder = resumeFrom.map(CheckpointStore.Checkpoint::folder).orElse(null);
            double weightNorm = Gradients.weightNorm(policy.trainableParameters());
            warnIfAccumulationSplitsCoupledBatches();
            try (ProgressBar bar = new ProgressBar(log, "train", totalSteps)) {
                bar.update(step, "");
                while (step < totalSteps) {
                    int[] indices = sampler.batch(position);
                    position = sampler.next(position);
                    StepResult r = data.layout() == DataLayout.PAIRED
                            ? pairedStep(policy, microBatches(data.trainPairs(), indices), reference, pad, root)
                            : unpairedStep(policy, microBatches(data.trainUnpaired(), indices), reference, pad,
                                    data.truncation().maxLength(), root);
                    double gradNorm;
                    try (NDManager scratch = root.newSubManager()) {
                        gradNorm = Gradients.clipGlobalNorm(policy.trainableParameters(), config.training().maxGradNorm(),
                                scratch);
                    }
                    if (!Double.isFinite(r.loss()) || !Double.isFinite(gradNorm)) {
                        Gradients.zero(policy.trainableParameters());
                        throw new NonFiniteException(String.format(Locale.ROOT, "stopped at step %d: the %s is %s "
                                + "(examples %s). %s; lower optimizer.lr, check max_grad_norm, or look at those examples",
                                step + 1, Double.isFinite(r.loss()) ? "gradient norm" : "loss",
                                Double.isFinite(r.loss()) ? gradNorm : r.loss(), abbreviate(r.ids()),
                                lastGood(lastCheckpointFolder, store)));
                    }
                    double lr = schedule.at(step);
                    adam.update(policy.trainableParameters(), lr);
                    Gradients.zero(policy.trainableParameters());
                    // A finite gradient times a huge learning rate can overflow the weights, or blow them up
                    // while every value stays finite (the outputs saturate and the gradients become 0): never let
                    // such weights reach a checkpoint, where they would pass for the last good one.
                    double newNorm = Gradients.weightNorm(policy.trainableParameters());
                    Optional<String> broken = Double.isFinite(newNorm) ? Optional.empty()
                            : Gradients.firstNonFinite(policy.trainableParameters());
                    if (broken.isPresent()) {
                        throw new NonFiniteException(String.format(Locale.ROOT, "stopped at step %d: the weights are "
                                + "not finite after the optimizer update (%s first; learning rate %s, gradient norm %s; "
                                + "examples %s). %s; lower optimizer.lr", step + 1, broken.get(), lr, gradNorm,
                                abbreviate(r.ids()), lastGood(lastCheckpointFolder, store)));
                    }
                    if (!(newNorm <= MAX_WEIGHT_GROWTH * weightNorm)) {
                        throw new NonFiniteException(String.format(Locale.ROOT, "stopped at step %d: one optimizer "
                                + "update grew the weights' norm %.3g-fold (%.4g → %.4g; learning rate %s, gradient norm "
                                + "%s; examples %s): the weights are diverging. %s; lower optimizer.lr (AdamW moves "
                                + "each weight by up to about lr per step, whatever the gradient)", step + 1,
                                newNorm / weightNorm, weightNorm, newNorm, lr, gradNorm, abbreviate(r.ids()),
                                lastGood(lastCheckpointFolder, store)));
                    }
                    weightNorm = newNorm;
                    step++;
                    tokens += r.tokens();
                    double elapsed = (System.nanoTime() - startNanos) / 1e9;
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("epoch", position.epoch() + (double) position.index() / Math.max(1, sampler.batchesPerEpoch()));
                    row.put("loss", r.loss());
                    r.metrics().forEach(row::put);
                    row.put("grad_norm", gradNorm);
                    row.put("lr", lr);
                    row.put("tokens_per_second", tokens / Math.max(1e-9, elapsed));
                    metrics.write("train", step, row);
                    if (step % config.training().evalEvery() == 0 || step == totalSteps) {
                        lastEval = evaluate(step, policy, evaluator, diagnostics, history, metrics, root, bar);
                    }
                    bar.update(step, progressText(r, lastEval, tokens / Math.max(1e-9, elapsed)));
                    if (step % config.training().checkpointEvery() == 0 || step == totalSteps) {
                        checkpoint(store, policy, adam, new TrainerState(step, position.epoch(), position.index(),
                                adam.step(), history, firstEval, lastEval, elapsed, tokens), initial);
                        lastCheckpoint = step;
                        lastCheckpointFolder = store.root().resolve(CheckpointStore.name(step));
                    }
                }
            }
            Path model = out.resolve("model");
            if (lora != null) {
                model = lora.saveFinal(policy, out, initial);
            } else {
                HuggingFaceCheckpoint.save(policy, model, SaveOptions.defaults().withTokenizerSource(initial));
            }
            double total = (System.nanoTime() - startNanos) / 1e9;
            Summary summary = new Summary(out, model, step, total, firstEval, lastEval, List.copyOf(warnings),
                    reference != null && reference.reused(), reference == null ? 0 : reference.scored());
            writeSummary(summary, lastCheckpoint);
            return summary;
        }
    }

    private String progressText(StepResult r, Map<String, Double> eval, double tokensPerSecond) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "loss %.4f", r.loss()));
        Double acc = r.metrics().get("rewards/accuracies");
        Double margin = r.metrics().get("rewards/margins");
        if (acc != null) {
            sb.append(String.format(Locale.ROOT, " acc %.2f", acc));
        }
        if (margin != null) {
            sb.append(String.format(Locale.ROOT, " margin %.3f", margin));
        }
        if (eval != null && eval.containsKey("eval/rewards/accuracies")) {
            sb.append(String.format(Locale.ROOT, " | held-out acc %.2f", eval.get("eval/rewards/accuracies")));
        }
        sb.append(String.format(Locale.ROOT, " | %.0f tok/s", tokensPerSecond));
        return sb.toString();
    }

    /** Where a stopped run can be resumed from, for the non-finite message. */
    private static String lastGood(Path folder, CheckpointStore store) {
        return folder == null ? "No checkpoint was written before this step (nothing to resume from in " + store.root()
                + ")" : "The last good checkpoint is kept: " + folder + " (dpo train --resume continues from it)";
    }

    private static String abbreviate(List<String> ids) {
        return ids.size() <= 6 ? ids.toString() : ids.subList(0, 6) + " and " + (ids.size() - 6) + " more";
    }

    /** One optimizer step's measurements. */
    private record StepResult(double loss, Map<String, Double> metrics, long tokens, List<String> ids) {
    }

    /**
     * Warns once, before the first step, when gradient accumulation splits the batches of a
     * batch-coupled objective (aot, aot_pair, bco_pair: sorting or a batch mean), whose loss on k
     * micro-batches is not the loss of one batch k times larger.
     */
    private void warnIfAccumulationSplitsCoupledBatches() {
        int k = config.training().gradientAccumulation();
        if (k <= 1) {
            return;
        }
        for (TrainConfig.ObjectiveSpec spec : config.objectives()) {
            if (spec.configured().requirements().batchCoupled()) {
                String text = String.format(Locale.ROOT, "objective '%s' is batch-coupled (its loss sorts or averages "
                        + "across the batch): gradient_accumulation = %d computes it on %d micro-batches of %d, which "
                        + "is not one batch of %d; raise batch_size and lower gradient_accumulation to keep the batch "
                        + "whole", spec.id(), k, k, config.training().batchSize(), k * config.training().batchSize());
                warnings.add(text);
                log.println("warning: " + text);
            }
        }
    }

    /** Accumulates micro-batch results weighted by their share of the step. */
    private static final class Accumulator {
        double loss;
        final Map<String, Double> metrics = new LinkedHashMap<>();
        long tokens;
        final List<String> ids = new ArrayList<>();

        void add(double share, double microLoss, Map<String, Double> microMetrics) {
            loss += share * microLoss;
            microMetrics.forEach((k, v) -> metrics.merge(k, share * v, Double::sum));
        }

        StepResult result() {
            return new StepResult(loss, metrics, tokens, ids);
        }
    }

    private StepResult pairedStep(LlamaModel policy, List<List<TokenizedPair>> micro, ReferencePass.Outcome reference,
            int pad, NDManager root) {
        int total = micro.stream().mapToInt(List::size).sum();
        Accumulator acc = new Accumulator();
        for (List<TokenizedPair> pairs : micro) {
            double share = (double) pairs.size() / total;
            int b = pairs.size();
            try (NDManager step = root.newSubManager()) {
                PairBatch batch = PairBatch.of(pairs, pad);
                BatchArrays arrays = batch.toArrays(step);
                double[] live = LoraRun.liveReference(config) && needsReference()
                        ? LoraRun.liveReference(policy, kernel, arrays, step) : null;
                try (GradientCollector gc = step.getEngine().newGradientCollector()) {
                    TrunkPass pass = trunk(policy, arrays, step, dropoutSeed(batch.ids()));
                    NDArray h = pass.hidden();
                    try (KernelForward f = kernel.forward(LogProbInput.of(step, h, policy.lmHeadWeight(),
                            arrays.labels(), arrays.responseMask()), gc)) {
                        NDArray leaf = f.statistics().logProbs().duplicate();
                        leaf.setRequiresGradient(true);
                        NDArray counts = arrays.responseTokens();
                        SequenceStatistics.Builder s = SequenceStatistics.paired()
                                .put(Statistic.POLICY_CHOSEN, leaf.get(new NDIndex("0:" + b)))
                                .put(Statistic.POLICY_REJECTED, leaf.get(new NDIndex(b + ":")))
                                .put(Statistic.CHOSEN_TOKENS, counts.get(new NDIndex("0:" + b)))
                                .put(Statistic.REJECTED_TOKENS, counts.get(new NDIndex(b + ":")));
                        if (reference != null || live != null) {
                            double[] rc = new double[b];
                            double[] rr = new double[b];
                            for (int i = 0; i < b; i++) {
                                rc[i] = live != null ? live[i] : ReferencePass.lookup(reference.cache(),
                                        pairs.get(i).prompt(), pairs.get(i).chosen());
                                rr[i] = live != null ? live[b + i] : ReferencePass.lookup(reference.cache(),
                                        pairs.get(i).prompt(), pairs.get(i).rejected());
                            }
                            s.put(Statistic.REFERENCE_CHOSEN, step.create(rc).toType(leaf.getDataType(), false));
                            s.put(Statistic.REFERENCE_REJECTED, step.create(rr).toType(leaf.getDataType(), false));
                        }
                        Combined c = combine(s.build());
                        gc.backward(Scalars.mul(c.loss(), share));
                        f.backward(leaf.getGradient());
                        acc.add(share, c.lossValue(), c.metrics());
                        acc.tokens += (long) ObjectiveMath.toDoubles(counts.sum())[0];
                    }
                    pass.backward();
                }
                acc.ids.addAll(batch.ids());
            }
        }
        return acc.result();
    }

    private StepResult unpairedStep(LlamaModel policy, List<List<TokenizedUnpaired>> micro,
            ReferencePass.Outcome reference, int pad, int maxLength, NDManager root) {
        int total = micro.stream().mapToInt(List::size).sum();
        Accumulator acc = new Accumulator();
        boolean mismatched = needsMismatched();
        for (List<TokenizedUnpaired> examples : micro) {
            double share = (double) examples.size() / total;
            int b = examples.size();
            try (NDManager step = root.newSubManager()) {
                UnpairedBatch batch = UnpairedBatch.of(examples, pad, mismatched, maxLength);
                NDArray klPolicy = null;
                NDArray klReference = null;
                Optional<PaddedSequences> mm = batch.mismatched();
                if (mm.isPresent()) {
                    // The KL reference point carries no gradient: scored outside the collector.
                    BatchArrays m = batch.mismatchedArrays(step).orElseThrow();
                    NDArray hm = SequenceScorer.hidden(policy, m, step);
                    klPolicy = kernel.statistics(LogProbInput.of(step, hm, policy.lmHeadWeight(), m.labels(),
                            m.responseMask())).logProbs();
                    if (reference != null) {
                        double[] kr = new double[mm.get().rows()];
                        for (int r = 0; r < kr.length; r++) {
                            kr[r] = ReferencePass.lookup(reference.cache(), mm.get().promptIds(r), mm.get().responseIds(r));
                        }
                        klReference = step.create(kr).toType(klPolicy.getDataType(), false);
                    } else if (LoraRun.liveReference(config) && needsReference()) {
                        klReference = step.create(LoraRun.liveReference(policy, kernel, m, step))
                                .toType(klPolicy.getDataType(), false);
                    }
                }
                BatchArrays arrays = batch.toArrays(step);
                double[] live = LoraRun.liveReference(config) && needsReference()
                        ? LoraRun.liveReference(policy, kernel, arrays, step) : null;
                try (GradientCollector gc = step.getEngine().newGradientCollector()) {
                    TrunkPass pass = trunk(policy, arrays, step, dropoutSeed(batch.ids()));
                    NDArray h = pass.hidden();
                    try (KernelForward f = kernel.forward(LogProbInput.of(step, h, policy.lmHeadWeight(),
                            arrays.labels(), arrays.responseMask()), gc)) {
                        NDArray leaf = f.statistics().logProbs().duplicate();
                        leaf.setRequiresGradient(true);
                        SequenceStatistics.Builder s = SequenceStatistics.unpaired()
                                .put(Statistic.POLICY, leaf)
                                .put(Statistic.TOKENS, arrays.responseTokens())
                                .put(Statistic.DESIRABLE, batch.desirableArray(step));
                        if (reference != null || live != null) {
                            double[] ref = new double[b];
                            for (int i = 0; i < b; i++) {
                                ref[i] = live != null ? live[i] : ReferencePass.lookup(reference.cache(),
                                        examples.get(i).prompt(), examples.get(i).completion());
                            }
                            s.put(Statistic.REFERENCE, step.create(ref).toType(leaf.getDataType(), false));
                        }
                        if (klPolicy != null && klReference != null) {
                            s.put(Statistic.KL_POLICY, klPolicy).put(Statistic.KL_REFERENCE, klReference);
                        }
                        Combined c = combine(s.build());
                        gc.backward(Scalars.mul(c.loss(), share));
                        f.backward(leaf.getGradient());
                        acc.add(share, c.lossValue(), c.metrics());
                        acc.tokens += (long) ObjectiveMath.toDoubles(arrays.responseTokens().sum())[0];
                    }
                    pass.backward();
                }
                acc.ids.addAll(batch.ids());
            }
        }
        return acc.result();
    }

    /** The policy's training forward (with activation checkpointing when the run uses it). */
    private TrunkPass trunk(LlamaModel policy, BatchArrays arrays, NDManager step, long seed) {
        ai.djl.ndarray.types.Shape s = arrays.inputIds().getShape();
        return policy.trainingPass(arrays.inputIds(), arrays.attentionMask(),
                SequenceScorer.positions(step, (int) s.get(0), (int) s.get(1)), checkpointing, seed);
    }

    /**
     * The seed of a micro-batch's LoRA dropout: fixed by the run's seed and the examples' ids (not where the
     * data file lives), so a resumed run redraws the same masks.
     */
    private long dropoutSeed(List<String> ids) {
        return config.seed() * 1_000_003L + ids.hashCode();
    }

    /**
     * With {@code lora.reference: adapters_off}: the validation sequences' reference log-probs, scored once
     * by the policy with its adapters off (in memory; the evaluations' margins need them).
     */
    private ReferenceCache validationReference(LlamaModel policy, PreparedData data, int pad, NDManager root) {
        List<TokenIds> prompts = new ArrayList<>();
        List<TokenIds> responses = new ArrayList<>();
        for (TokenizedPair p : data.validationPairs()) {
            prompts.add(p.prompt());
            responses.add(p.chosen());
            prompts.add(p.prompt());
            responses.add(p.rejected());
        }
        for (TokenizedUnpaired u : data.validationUnpaired()) {
            prompts.add(u.prompt());
            responses.add(u.completion());
        }
        ReferenceCache cache = ReferenceCache.empty();
        policy.setAdapterEnabled(false);
        policy.setTrainable(false);
        try {
            double[] values = new SequenceScorer(policy, kernel, pad, referenceRows).score(prompts, responses, root, null);
            for (int i = 0; i < values.length; i++) {
                cache.put(ReferenceCache.Key.of(prompts.get(i).toArray(), responses.get(i).toArray()), values[i]);
            }
        } finally {
            policy.setAdapterEnabled(true);
            policy.setTrainable(true);
        }
        log.println("reference: the policy with its LoRA adapters off (no reference pass; " + prompts.size()
                + " validation sequences scored in memory)");
        return cache;
    }

    /** The weighted sum of the objectives' losses and their metrics (prefixed by id when there are several). */
    private record Combined(NDArray loss, double lossValue, Map<String, Double> metrics) {
    }

    private Combined combine(SequenceStatistics stats) {
        NDArray total = null;
        Map<String, Double> metrics = new LinkedHashMap<>();
        boolean several = config.objectives().size() > 1;
        for (TrainConfig.ObjectiveSpec spec : config.objectives()) {
            ObjectiveResult r = spec.configured().compute(stats);
            NDArray weighted = spec.weight() == 1.0 ? r.loss() : Scalars.mul(r.loss(), spec.weight());
            total = total == null ? weighted : total.add(weighted);
            r.metrics().forEach((k, v) -> {
                if (!k.equals("loss") || several) {
                    metrics.put(several ? spec.id() + "/" + k : k, v);
                }
            });
        }
        return new Combined(total, ObjectiveMath.scalar(total), metrics);
    }

    // ------------------------------------------------------------------------------------------
    // Evaluation, checkpoints, summary

    private Map<String, Double> evaluate(long step, LlamaModel policy, Evaluator evaluator, Diagnostics diagnostics,
            List<Diagnostics.Evaluation> history, MetricsLog metrics, NDManager root, ProgressBar bar)
            throws IOException {
        policy.setTrainable(false);
        Map<String, Double> m;
        try {
            m = evaluator.evaluate(step, policy, kernel, config, root);
        } finally {
            policy.setTrainable(true);
        }
        metrics.write("eval", step, m);
        Diagnostics.Evaluation e = new Diagnostics.Evaluation(step, m.getOrDefault("eval/rewards/margins", Double.NaN),
                m.getOrDefault("eval/logratios/chosen", Double.NaN), m.getOrDefault("eval/logratios/rejected", Double.NaN),
                evaluator.beta(config), m.getOrDefault("eval/sample_length", Double.NaN));
        history.add(e);
        for (Diagnostics.Warning w : diagnostics.observe(e)) {
            String text = "diagnostics (step " + step + "): " + w.message();
            warnings.add(text);
            if (bar != null) {
                bar.println("warning: " + text);
            } else {
                log.println("warning: " + text);
            }
        }
        String line = String.format(Locale.ROOT, "eval step %d: held-out accuracy %s, margin %s, sampled length %s%s",
                step, fmt(m.get("eval/rewards/accuracies")), fmt(m.get("eval/rewards/margins")),
                fmt(m.get("eval/sample_length")), m.containsKey("eval/sample_reward")
                        ? ", true reward " + fmt(m.get("eval/sample_reward")) : "");
        if (bar != null) {
            bar.println(line);
        } else {
            log.println(line);
        }
        return m;
    }

    private static String fmt(Double v) {
        return v == null || v.isNaN() ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    private void checkpoint(CheckpointStore store, LlamaModel policy, AdamW adam, TrainerState state, Path initial)
            throws IOException {
        store.write(state.step(), folder -> {
            if (lora != null) {
                LoraRun.saveAdapter(policy, folder, initial); // the adapter only: the base is the initial policy
            } else {
                HuggingFaceCheckpoint.save(policy, folder.resolve("model"), SaveOptions.defaults()
                        .withTokenizerSource(initial));
            }
            List<TensorSource> tensors = new ArrayList<>();
            adam.state().forEach((k, a) -> tensors.add(new ArraySource(k, a)));
            SafetensorsWriter.write(folder.resolve("optimizer.safetensors"), tensors,
                    Map.of("format", "pt", "optimizer", "adamw", "step", String.valueOf(adam.step())));
            state.write(folder);
        });
    }

    private void restoreOptimizer(AdamW adam, Path folder, TrainerState state, NDManager root) {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        try (NDManager scratch = root.newSubManager();
                SafetensorsFile file = SafetensorsFile.open(folder.resolve("optimizer.safetensors"))) {
            for (Map.Entry<String, TensorEntry> e : file.tensors().entrySet()) {
                float[] values = file.readAsFloat32(e.getValue());
                arrays.put(e.getKey(), scratch.create(values, e.getValue().shape()));
            }
            adam.restore(arrays, state.optimizerSteps());
        }
    }

    private void writeSummary(Summary s, long lastCheckpoint) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("output", s.output().toString());
        json.put("model", s.model().toString());
        json.put("steps", s.steps());
        json.put("seconds", s.seconds());
        json.put("last_checkpoint_step", lastCheckpoint);
        json.put("first_evaluation", s.firstEvaluation());
        json.put("last_evaluation", s.lastEvaluation());
        json.put("warnings", s.warnings());
        json.put("reference_cache_reused", s.referenceCacheReused());
        json.put("reference_sequences_scored", s.referenceScored());
        AtomicFiles.writeString(out.resolve("summary.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                .writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    /** The resolved configuration's YAML, as written into the run folder. */
    public String resolvedYaml() {
        return ConfigFiles.toYaml(config.toTree());
    }
}
