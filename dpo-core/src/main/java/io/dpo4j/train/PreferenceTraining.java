package io.dpo4j.train;

import ai.djl.ndarray.NDManager;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.WeightedSum;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.data.BadRowPolicy;
import io.dpo4j.core.data.BatchSampler;
import io.dpo4j.core.data.TruncationPolicy;
import io.dpo4j.core.data.TruncationSettings;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.SaveOptions;
import io.dpo4j.core.tokenizer.SpecialTokens;
import io.dpo4j.core.tokenizer.TextTokenizer;
import io.dpo4j.core.train.AdamW;
import io.dpo4j.core.train.BatchLayout;
import io.dpo4j.core.train.CheckpointStore;
import io.dpo4j.core.train.LearningRateSchedule;
import io.dpo4j.core.train.ModelHub;
import io.dpo4j.core.train.ReferenceCache;
import io.dpo4j.core.train.TokenizerEncoder;
import io.dpo4j.core.train.TrainerState;
import io.dpo4j.core.train.TrainingCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Preference training as a library call:
 *
 * <pre>{@code
 * try (TrainingResult result = PreferenceTraining.builder()
 *         .policy(Path.of("models/tiny"))
 *         .objective(new DpoObjective().configure(Map.of("beta", 0.1)))
 *         .data(TrainingData.of(trainPairs, validationPairs))
 *         .optimizer(OptimizerSettings.adamW(5e-4))
 *         .batchSize(8).steps(100)
 *         .listener(new ProgressListener())
 *         .build().fit()) {
 *     System.out.println(result.lastEvaluation());
 * }
 * }</pre>
 *
 * The policy is a Hugging Face folder (weights and tokenizer); the reference is the initial policy
 * unless told otherwise ({@link Reference}); objectives are summed with their weights
 * ({@link WeightedSum}). Nothing here needs YAML, a command line or a run folder: files are written
 * only by the listeners that write them and by {@link Builder#saveModelTo}. The built-in listeners —
 * the guards ({@link NonFiniteGuard}, {@link DivergenceGuard}), {@link EvaluationListener} and
 * {@link DiagnosticsListener} — run first, then the given ones in order.
 */
public final class PreferenceTraining {

    private final Builder b;

    private PreferenceTraining(Builder b) {
        this.b = b;
    }

    /** A builder with the defaults of {@code docs/training.md}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains. The returned result holds the trained model; close it.
     *
     * @throws DpoException for bad input (with one clear line), {@link NonFiniteException} when a guard stops
     */
    public TrainingResult fit() throws IOException {
        b.device.requireAvailable();
        PrintWriter log = b.log;
        LogProbKernel kernel = b.kernel;
        ConfiguredObjective objective = b.objective();
        boolean needsReference = objective.requirements().needsReference();
        boolean mismatched = objective.requirements().needsMismatchedPairs();
        if (needsReference && b.reference instanceof Reference.None) {
            throw new DpoException("objective " + objective.id() + " reads reference statistics; give a reference "
                    + "(Reference.initialPolicy(), a model or precomputed statistics)");
        }
        Path initial = ModelHub.requireModelFolder(b.policy, "model");
        try (TextTokenizer tokenizer = TextTokenizer.load(initial)) {
            LlamaConfig modelConfig = LlamaConfig.read(initial.resolve(HuggingFaceCheckpoint.CONFIG));
            SpecialTokens.requireFits(tokenizer, modelConfig.vocabSize(), initial);
            SpecialTokens special = SpecialTokens.resolve(tokenizer, modelConfig, initial);
            TokenizerEncoder encoder = new TokenizerEncoder(tokenizer, special);
            int pad = special.pad();
            PreparedData data = PreparedData.prepare(objective, b.data, b.truncation, b.onBadRow, b.addBos,
                    b.evaluation, tokenizer, encoder, special, log);
            BatchSampler sampler = new BatchSampler(data.trainSize(), Math.min(data.trainSize(),
                    b.batchSize * b.gradientAccumulation), b.seed, false);
            long totalSteps = b.steps != null ? b.steps : (long) sampler.batchesPerEpoch() * b.epochs;
            MicroBatches micro = new MicroBatches(data, b.batchSize, pad, mismatched);
            // The memory check sees the lengths the batches will have (not max_length), before any model loads.
            int checkedRows = b.memoryCheck == null ? 0 : b.memoryCheck.check(data.lengths());
            if (checkedRows > 0) {
                b.referenceRows = checkedRows;
            }
            boolean liveReference = b.lora != null && b.lora.adaptersOffReference() && needsReference;
            ReferenceStage.Outcome reference = needsReference && !liveReference ? ReferenceStage.run(b.reference, initial, data, sampler,
                    micro, totalSteps, mismatched, kernel, pad, b.referenceRows != null ? b.referenceRows
                            : 4 * b.batchSize, b.cacheDirectory, b.device, b.layout, log) : null;

            Optional<CheckpointStore.Checkpoint> resumeFrom = Optional.empty();
            if (b.resumeFrom != null) {
                resumeFrom = new CheckpointStore(b.resumeFrom, 1).latestValid(m -> log.println("warning: " + m));
                if (resumeFrom.isEmpty()) {
                    log.println("resume: no usable checkpoint in " + b.resumeFrom + "; starting from the beginning");
                }
            }
            // A LoRA checkpoint holds only the adapter: the frozen base is the initial policy.
            Path weights = b.lora != null ? initial : resumeFrom.map(c -> c.folder().resolve("model")).orElse(initial);
            TrainerState state = resumeFrom.map(c -> TrainerState.read(c.folder())).orElse(null);
            if (state != null) {
                log.println("resume: continuing from " + resumeFrom.get().folder() + " (step " + state.step() + " of "
                        + totalSteps + ")");
            }
            NDManager root = NDManager.newBaseManager(b.device.toDjl());
            LlamaModel policy = null;
            TrainingContext context = null;
            List<TrainingListener> listeners = new ArrayList<>();
            boolean done = false;
            try {
                policy = HuggingFaceCheckpoint.load(weights, root.newSubManager());
                if (b.lora != null) {
                    LoraStage.attach(policy, b.lora, resumeFrom.map(CheckpointStore.Checkpoint::folder).orElse(null),
                            b.seed, log);
                }
                OptimizerSettings o = b.optimizer;
                AdamW adam = new AdamW(root, o.beta1(), o.beta2(), o.eps(), o.weightDecay());
                if (state != null) {
                    TrainingCheckpoint.restoreOptimizer(adam, resumeFrom.get().folder(), state, root);
                }
                policy.setTrainable(true);
                // The long-lived arrays first, so that every step's activations reuse one region above them.
                adam.prepare(policy.trainableParameters());
                int referenceRows = b.referenceRows != null ? b.referenceRows : 4 * b.batchSize;
                ReferenceCache referenceCache = liveReference ? LoraStage.validationReference(policy, data, kernel,
                        pad, referenceRows, b.layout, root, log) : reference == null ? null : reference.cache();
                ObjectiveStep step = new ObjectiveStep(objective, kernel, referenceCache, pad, liveReference,
                        b.activationCheckpointing, b.seed, b.layout);
                Evaluator evaluator = new Evaluator(data, step, kernel, pad, special.eos(), tokenizer, b.evaluation,
                        b.seed);
                listeners.add(new NonFiniteGuard());
                listeners.add(new DivergenceGuard());
                listeners.addAll(b.early);
                listeners.add(new EvaluationListener(evaluator, b.evaluation.every()));
                listeners.add(new DiagnosticsListener());
                listeners.addAll(b.listeners);
                context = new TrainingContext(root, policy, adam, totalSteps, sampler.batchesPerEpoch(), initial,
                        objective.rewardScale(), log, listeners, state);
                batchCoupledWarning().ifPresent(context::warn);
                LearningRateSchedule schedule = new LearningRateSchedule(o.lr(), b.schedule.warmupSteps(),
                        b.schedule.decay(), totalSteps);
                StepEvent last;
                try {
                    last = new TrainingLoop(context, listeners, sampler, micro, step, schedule, b.maxGradNorm).run();
                } finally {
                    closeAll(listeners, context);
                }
                adam.close();
                if (b.lora != null) {
                    LoraStage.saveFinal(policy, b.lora, b.saveModelTo, initial, log);
                } else if (b.saveModelTo != null) {
                    HuggingFaceCheckpoint.save(policy, b.saveModelTo, SaveOptions.defaults().withTokenizerSource(initial));
                }
                java.util.Map<String, Double> lastTrain = null;
                if (last != null) {
                    lastTrain = new java.util.LinkedHashMap<>();
                    lastTrain.put("loss", last.loss());
                    lastTrain.putAll(last.metrics());
                }
                TrainingResult result = new TrainingResult(root, policy, context.step(), context.elapsedSeconds(),
                        context.evaluations(), context.firstEvaluation(), context.lastEvaluation(), lastTrain,
                        context.warnings(), reference != null && reference.reused(),
                        reference == null ? 0 : reference.scored(), b.saveModelTo);
                done = true;
                return result;
            } finally {
                if (!done) {
                    if (policy != null) {
                        policy.close();
                    }
                    root.close();
                }
            }
        }
    }

    /**
     * What {@link #fit()}'s reference stage would score, and the cache file it would read, worked out
     * exactly as {@code fit()} does (the same data preparation, sampler and fingerprints) but without
     * loading any model or training: a distributed job scores the plan's sequences and writes that file,
     * and {@code fit()} then reuses it and runs no reference pass.
     *
     * @throws DpoException when the objectives read no reference statistics, the reference is precomputed
     *     statistics, or a LoRA run scores its reference live (adapters off): there is nothing to precompute
     */
    public ReferencePlan referencePlan() throws IOException {
        ConfiguredObjective objective = b.objective();
        boolean mismatched = objective.requirements().needsMismatchedPairs();
        if (!objective.requirements().needsReference()) {
            throw new DpoException("objective " + objective.id() + " reads no reference statistics: there is no "
                    + "reference pass to precompute");
        }
        if (b.lora != null && b.lora.adaptersOffReference()) {
            throw new DpoException("this LoRA run scores its reference live with the adapters off "
                    + "(lora.reference: adapters_off): there is no reference pass to precompute");
        }
        Path initial = ModelHub.requireModelFolder(b.policy, "model");
        try (TextTokenizer tokenizer = TextTokenizer.load(initial)) {
            LlamaConfig modelConfig = LlamaConfig.read(initial.resolve(HuggingFaceCheckpoint.CONFIG));
            SpecialTokens.requireFits(tokenizer, modelConfig.vocabSize(), initial);
            SpecialTokens special = SpecialTokens.resolve(tokenizer, modelConfig, initial);
            TokenizerEncoder encoder = new TokenizerEncoder(tokenizer, special);
            int pad = special.pad();
            PreparedData data = PreparedData.prepare(objective, b.data, b.truncation, b.onBadRow, b.addBos,
                    b.evaluation, tokenizer, encoder, special, b.log);
            BatchSampler sampler = new BatchSampler(data.trainSize(), Math.min(data.trainSize(),
                    b.batchSize * b.gradientAccumulation), b.seed, false);
            long totalSteps = b.steps != null ? b.steps : (long) sampler.batchesPerEpoch() * b.epochs;
            MicroBatches micro = new MicroBatches(data, b.batchSize, pad, mismatched);
            // sized by the memory check exactly as fit() sizes the reference pass
            int checkedRows = b.memoryCheck == null ? 0 : b.memoryCheck.check(data.lengths());
            int rows = checkedRows > 0 ? checkedRows : b.referenceRows != null ? b.referenceRows : 4 * b.batchSize;
            return ReferenceStage.plan(b.reference, initial, data, ReferenceStage.sequences(data, sampler, micro,
                    totalSteps, mismatched), pad, rows, b.cacheDirectory);
        }
    }

    /**
     * The warning, once before the first step, when gradient accumulation splits the batches of a
     * batch-coupled objective (aot, aot_pair, bco_pair: sorting or a batch mean), whose loss on k
     * micro-batches is not the loss of one batch k times larger.
     */
    private java.util.Optional<String> batchCoupledWarning() {
        int k = b.gradientAccumulation;
        if (k <= 1) {
            return java.util.Optional.empty();
        }
        for (WeightedSum.Term term : b.objectives) {
            if (term.objective().requirements().batchCoupled()) {
                return java.util.Optional.of(String.format(java.util.Locale.ROOT, "objective '%s' is batch-coupled "
                        + "(its loss sorts or averages across the batch): gradient_accumulation = %d computes it on %d "
                        + "micro-batches of %d, which is not one batch of %d; raise batch_size and lower "
                        + "gradient_accumulation to keep the batch whole", term.objective().id(), k, k, b.batchSize,
                        k * b.batchSize));
            }
        }
        return java.util.Optional.empty();
    }

    private static void closeAll(List<TrainingListener> listeners, TrainingContext context) throws IOException {
        IOException first = null;
        for (int i = listeners.size() - 1; i >= 0; i--) {
            try {
                listeners.get(i).onClose(context);
            } catch (IOException | RuntimeException e) {
                if (first == null && e instanceof IOException io) {
                    first = io;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Collects a run's settings; {@link #build()} checks them. */
    public static final class Builder {
        private Path policy;
        private Reference reference = Reference.initialPolicy();
        private final List<WeightedSum.Term> objectives = new ArrayList<>();
        private TrainingData data;
        private OptimizerSettings optimizer = OptimizerSettings.defaults();
        private Schedule schedule = Schedule.linear();
        private int batchSize = 8;
        private int gradientAccumulation = 1;
        private double maxGradNorm = 1.0;
        private int epochs = 1;
        private Integer steps;
        private long seed = 42;
        private LogProbKernel kernel = KernelType.SINGLE_PASS.create(256L << 20);
        private TruncationSettings truncation = new TruncationSettings(64, 64, 128, TruncationPolicy.TRUNCATE);
        private BadRowPolicy onBadRow = BadRowPolicy.ERROR;
        private boolean addBos;
        private LoraTraining lora;
        private boolean activationCheckpointing;
        private Integer referenceRows;
        private MemoryCheck memoryCheck;
        private BatchLayout layout = BatchLayout.defaults();
        private EvaluationSettings evaluation = EvaluationSettings.defaults();
        private final List<TrainingListener> early = new ArrayList<>();
        private final List<TrainingListener> listeners = new ArrayList<>();
        private Device device = Device.cpu();
        private Path cacheDirectory;
        private Path resumeFrom;
        private Path saveModelTo;
        private PrintWriter log = new PrintWriter(Writer.nullWriter());

        private Builder() {
        }

        /** The initial policy: a Hugging Face folder with safetensors weights and tokenizer.json. */
        public Builder policy(Path folder) {
            this.policy = Objects.requireNonNull(folder, "policy");
            return this;
        }

        /** Where the reference statistics come from (default: the initial policy). */
        public Builder reference(Reference source) {
            this.reference = Objects.requireNonNull(source, "reference");
            return this;
        }

        /** Adds an objective with weight 1. */
        public Builder objective(ConfiguredObjective objective) {
            return objective(objective, 1.0);
        }

        /** Adds an objective to the weighted sum. */
        public Builder objective(ConfiguredObjective objective, double weight) {
            objectives.add(new WeightedSum.Term(objective, weight));
            return this;
        }

        /** The examples. */
        public Builder data(TrainingData examples) {
            this.data = Objects.requireNonNull(examples, "data");
            return this;
        }

        /** AdamW's settings (default {@link OptimizerSettings#defaults()}). */
        public Builder optimizer(OptimizerSettings settings) {
            this.optimizer = Objects.requireNonNull(settings, "optimizer");
            return this;
        }

        /** The learning-rate schedule (default: linear decay, no warm-up). */
        public Builder schedule(Schedule s) {
            this.schedule = Objects.requireNonNull(s, "schedule");
            return this;
        }

        /** Examples per micro-batch (default 8). */
        public Builder batchSize(int size) {
            OptimizerSettings.require(size >= 1, "batch_size", size, ">= 1");
            this.batchSize = size;
            return this;
        }

        /** Micro-batches per optimizer step (default 1). */
        public Builder gradientAccumulation(int microBatches) {
            OptimizerSettings.require(microBatches >= 1, "gradient_accumulation", microBatches, ">= 1");
            this.gradientAccumulation = microBatches;
            return this;
        }

        /** Global gradient-norm clipping (0: none; default 1). */
        public Builder maxGradNorm(double norm) {
            OptimizerSettings.require(norm >= 0, "max_grad_norm", norm, ">= 0");
            this.maxGradNorm = norm;
            return this;
        }

        /** Epochs over the training examples (default 1; ignored when {@link #steps} is set). */
        public Builder epochs(int count) {
            OptimizerSettings.require(count >= 1, "epochs", count, ">= 1");
            this.epochs = count;
            return this;
        }

        /** Optimizer steps (default: as many as the epochs need). */
        public Builder steps(int count) {
            OptimizerSettings.require(count >= 1, "max_steps", count, ">= 1");
            this.steps = count;
            return this;
        }

        /** The seed of data order and sampling (default 42). */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * The log-prob kernel (default: the single-pass kernel keeping up to 256 MiB of logits, in 16 MiB
         * tiles; the two-pass chunked kernel for objectives without a row-local gradient).
         */
        public Builder kernel(LogProbKernel k) {
            this.kernel = Objects.requireNonNull(k, "kernel");
            return this;
        }

        /** Tokenisation limits (default 64 prompt, 64 response, 128 total tokens; truncate). */
        public Builder truncation(TruncationSettings settings) {
            this.truncation = Objects.requireNonNull(settings, "truncation");
            return this;
        }

        /** What tokenisation does with a row it cannot use (default: stop with a message). */
        public Builder onBadRow(BadRowPolicy policy) {
            this.onBadRow = Objects.requireNonNull(policy, "onBadRow");
            return this;
        }

        /**
         * Prepends the model's beginning-of-sequence token to plain-text prompts (default false, as TRL;
         * chat templates place their own).
         */
        public Builder addBos(boolean add) {
            this.addBos = add;
            return this;
        }

        /** LoRA adapters instead of full fine-tuning (default: none, every parameter trains). */
        public Builder lora(LoraTraining settings) {
            this.lora = settings;
            return this;
        }

        /**
         * A check run once the data is tokenised and before any model is loaded, with the lengths the
         * batches will have: it may refuse the run and size the reference pass's batch (the command line's
         * is its memory plan; default none).
         */
        public Builder memoryCheck(MemoryCheck check) {
            this.memoryCheck = check;
            return this;
        }

        /**
         * Activation checkpointing per decoder layer: only each layer's input is kept in the forward and
         * the layer is recomputed in backward (less memory, about a third more compute; default false).
         */
        public Builder activationCheckpointing(boolean on) {
            this.activationCheckpointing = on;
            return this;
        }

        /**
         * How each micro-batch's sequences are laid out for the model (default {@link BatchLayout#defaults()}:
         * a pair's prompt is shared by its chosen and rejected responses when that is estimated cheaper, no
         * packing). Every layout gives the same log-probs and gradients; {@link BatchLayout#padded()} is the
         * plain one. Also used by the reference pass and evaluation.
         */
        public Builder batchLayout(BatchLayout value) {
            this.layout = Objects.requireNonNull(value, "layout");
            return this;
        }

        /** Sequences per batch of the reference pass (default 4 × batch size; a memory plan may size it). */
        public Builder referenceBatchRows(int rows) {
            OptimizerSettings.require(rows >= 1, "reference batch rows", rows, ">= 1");
            this.referenceRows = rows;
            return this;
        }

        /** Evaluation and sampling (default {@link EvaluationSettings#defaults()}). */
        public Builder evaluation(EvaluationSettings settings) {
            this.evaluation = Objects.requireNonNull(settings, "evaluation");
            return this;
        }

        /** Adds a listener (after the built-in ones, in order). */
        public Builder listener(TrainingListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Adds a listener that runs before the evaluation (a metrics log that must see a step before its
         * evaluation does).
         */
        public Builder earlyListener(TrainingListener listener) {
            early.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The device (default cpu). */
        public Builder device(Device d) {
            this.device = Objects.requireNonNull(d, "device");
            return this;
        }

        /** Keeps reference statistics in this folder, keyed by model, data and lengths, across runs. */
        public Builder cacheDirectory(Path folder) {
            this.cacheDirectory = folder;
            return this;
        }

        /** Continues from the newest valid checkpoint in this folder (from the start when there is none). */
        public Builder resumeFrom(Path checkpoints) {
            this.resumeFrom = checkpoints;
            return this;
        }

        /**
         * Saves the trained model there (Hugging Face layout) at the end; with {@link #lora}, the merged
         * model, and only when {@link LoraTraining#merge()} asks for it.
         */
        public Builder saveModelTo(Path folder) {
            this.saveModelTo = folder;
            return this;
        }

        /** Where progress and notes are printed (default: nowhere). */
        public Builder log(PrintWriter writer) {
            this.log = Objects.requireNonNull(writer, "log");
            return this;
        }

        /** The kernel given so far (the default until one is); {@link TrainingStep} starts from it. */
        LogProbKernel kernel() {
            return kernel;
        }

        /** The (weighted sum of) objective(s) given so far. */
        ConfiguredObjective objective() {
            return WeightedSum.of(objectives);
        }

        /**
         * Checks the settings.
         *
         * @throws IllegalStateException when the policy, an objective or the data is missing, or the
         *     objectives mix layouts
         */
        public PreferenceTraining build() {
            if (policy == null) {
                throw new IllegalStateException("no policy: call policy(folder)");
            }
            if (objectives.isEmpty()) {
                throw new IllegalStateException("no objective: call objective(configured)");
            }
            if (data == null) {
                throw new IllegalStateException("no data: call data(TrainingData.of(...))");
            }
            try {
                objective();
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            return new PreferenceTraining(this);
        }
    }
}
