package io.dpo4j.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.name.Names;
import io.dpo4j.core.train.ModelHub;
import io.dpo4j.core.train.Threads;
import io.dpo4j.core.train.TextCorpus;
import io.dpo4j.core.DpoException;
import io.dpo4j.cli.config.ConfigFiles;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.data.LoadOptions;
import io.dpo4j.core.data.TruncationSettings;
import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.synthetic.SyntheticDataset;
import io.dpo4j.train.CheckpointListener;
import io.dpo4j.train.EvaluationSettings;
import io.dpo4j.train.OptimizerSettings;
import io.dpo4j.train.PreferenceTraining;
import io.dpo4j.train.Reference;
import io.dpo4j.train.Schedule;
import io.dpo4j.train.TrainingData;
import io.dpo4j.train.TrainingListener;
import io.dpo4j.train.TrainingResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code dpo train} as a job: maps the validated configuration onto {@link PreferenceTraining}'s
 * builder, and does what only the command line needs — preflight (everything checkable without a
 * model, before anything is created), the run folder, the built-in synthetic data, the tiny model's
 * warm-up, libtorch threads — then writes {@code summary.json}.
 */
public final class TrainJob {

    private static final TypeLiteral<Set<TrainingListener>> LISTENERS = new TypeLiteral<>() { };

    /** How a run starts. */
    public record Options(boolean resume, boolean overwrite, Path cacheDir) {
    }

    /** What a finished run reports. */
    public record Summary(Path output, Path model, long steps, double seconds, Map<String, Double> firstEvaluation,
            Map<String, Double> lastEvaluation, List<String> warnings, boolean referenceCacheReused, int referenceScored) {
    }

    private final TrainConfig config;
    private final Options options;
    private final PrintWriter log;
    private final Path out;
    private final Injector parts;
    private final LogProbKernel kernel;

    public TrainJob(TrainConfig config, Options options, PrintWriter log) {
        this.config = config;
        this.options = options;
        this.log = log;
        this.out = config.output();
        this.parts = Guice.createInjector(new TrainingBindings(config));
        this.kernel = parts.getInstance(LogProbKernel.class);
    }

    /** The configuration's cache folder default: {@code .cache} beside the run folder. */
    public static Path defaultCacheDir(Path output) {
        Path parent = output.toAbsolutePath().getParent();
        return (parent == null ? output.toAbsolutePath() : parent).resolve(".cache");
    }

    /** Runs the whole job; returns its summary. */
    public Summary run() throws IOException {
        Prepared p = prepare(true);
        try (TrainingResult r = p.builder().build().fit()) {
            Path model = config.lora().enabled() ? LoraRun.output(config, out) : out.resolve("model");
            Summary summary = new Summary(out, model, r.steps(), r.seconds(), r.firstEvaluation(),
                    r.lastEvaluation(), r.warnings(), r.referenceReused(), r.referenceScored());
            writeSummary(summary, p.checkpoints().lastStep());
            writeReport();
            return summary;
        }
    }

    /**
     * What this run's reference pass would score and the cache file it would read ({@link
     * PreferenceTraining#referencePlan()}), prepared exactly as {@link #run()} prepares the run — the same
     * inputs' checks, data, built-in data set and warmed-up tiny model, lengths and cache folder — but
     * without a run folder, a reference model or training: {@code dpo spark score} scores the plan and
     * writes the file, and {@code dpo train} with the same configuration then reuses it.
     */
    public io.dpo4j.train.ReferencePlan referencePlan() throws IOException {
        return prepare(false).builder().build().referencePlan();
    }

    /** The builder of the run, and its checkpoint listener. */
    private record Prepared(PreferenceTraining.Builder builder, CheckpointListener checkpoints) {
    }

    private Prepared prepare(boolean training) throws IOException {
        // Everything that can be checked without a model comes first, and creates nothing: a refused
        // run leaves no run folder behind.
        boolean needsReference = config.objectives().stream()
                .anyMatch(o -> o.configured().requirements().needsReference());
        // Unset length limits default for the model (the tiny one's are fixed); activation checkpointing
        // follows the model's size; a run whose model state alone cannot fit is refused with the memory plan
        // before anything is created, and the plan at the data's lengths is checked once it is tokenised,
        // before the model is loaded.
        LlamaConfig[] architecture = new LlamaConfig[1];
        TruncationSettings[] lengths = {Lengths.resolve(config.data(), true, Integer.MAX_VALUE)};
        boolean[] checkpointing = new boolean[1];
        java.util.function.Consumer<LlamaConfig> plan = a -> {
            architecture[0] = a;
            lengths[0] = Lengths.resolve(config.data(), false, a.maxPositionEmbeddings());
            checkpointing[0] = MemoryPlanning.checkpointing(config, a.parameterCount());
            MemoryPlanning.checkState(config, lengths[0], a, checkpointing[0],
                    needsReference && !LoraRun.liveReference(config), log);
        };
        if (training) {
            Preflight.check(config, options.resume(), options.overwrite(), needsReference, plan);
        } else {
            Preflight.checkInputs(config, needsReference, plan);
        }
        Path cache = options.cacheDir() == null ? defaultCacheDir(out) : options.cacheDir();
        Path synthetic = null;
        if (needsSynthetic()) {
            Files.createDirectories(cache);
            synthetic = syntheticData(cache);
        }
        TrainConfig.Data d = config.data();
        TrainingData data = TrainingData.load(d.synthetic() ? List.of(synthetic.resolve("train.jsonl"))
                : d.train().stream().map(Path::of).toList(), d.synthetic() ? List.of(synthetic.resolve(
                        "validation.jsonl")) : d.validation().stream().map(Path::of).toList(),
                new LoadOptions(d.format(), d.onBadRow(), d.maxRowBytes(), d.maxFieldChars()), d.validationSplit(),
                config.seed(), log);
        EvaluationSettings evaluation = evaluation(synthetic);
        if (config.sft().data() != null && warmsUp()) {
            TextCorpus.read(Path.of(config.sft().data())); // a malformed corpus stops the run here, not after setup
        }
        long parameters = architecture[0] == null ? 0 : architecture[0].parameterCount();
        if (training) {
            RunFolder.prepare(config, options.resume(), options.overwrite(), log);
        }
        Threads.configure(config.threads(), parameters);
        // The cache folder is created by the first write into it: a run refused at load touches nothing outside its folder.
        Path initial = new ModelHub(cache, log).initialPolicy(config.model(), config.seed(), warmUp(lengths[0]), synthetic,
                kernel);
        int maxPositions = LlamaConfig.read(initial.resolve(HuggingFaceCheckpoint.CONFIG)).maxPositionEmbeddings();
        Lengths.report(d, lengths[0], maxPositions, log);

        TrainConfig.Training t = config.training();
        TrainConfig.Optimizer o = config.optimizer();
        CheckpointListener checkpoints = parts.getInstance(CheckpointListener.class);
        PreferenceTraining.Builder b = PreferenceTraining.builder()
                .policy(initial)
                .reference(config.reference() == null ? Reference.initialPolicy()
                        : Reference.model(Path.of(config.reference())))
                .data(data)
                .optimizer(new OptimizerSettings(o.lr(), o.weightDecay(), o.beta1(), o.beta2(), o.eps()))
                .schedule(new Schedule(config.schedule().warmupSteps(), config.schedule().decay()))
                .batchSize(t.batchSize()).gradientAccumulation(t.gradientAccumulation()).maxGradNorm(t.maxGradNorm())
                .epochs(t.epochs())
                .seed(config.seed())
                .kernel(kernel)
                .truncation(lengths[0])
                .onBadRow(d.onBadRow())
                .addBos(d.addBos())
                .evaluation(evaluation)
                .cacheDirectory(cache)
                .resumeFrom(options.resume() ? checkpoints.folder() : null)
                .saveModelTo(out.resolve("model"))
                .device(config.device())
                .log(log);
        if (config.lora().enabled()) {
            b.lora(LoraRun.settings(config, out));
        }
        b.activationCheckpointing(checkpointing[0]);
        b.batchLayout(config.batchLayout());
        if (architecture[0] != null) {
            // the plan at the tokenised data's lengths, before the model is loaded; it sizes the reference batch
            LlamaConfig a = architecture[0];
            boolean reference = needsReference && !LoraRun.liveReference(config);
            b.memoryCheck(dataLengths -> Math.max(1, MemoryPlanning.check(config, a, checkpointing[0], reference,
                    dataLengths, log).input().referenceRows()));
        }
        if (t.maxSteps() != null) {
            b.steps(t.maxSteps());
        }
        config.objectives().forEach(spec -> b.objective(spec.configured(), spec.weight()));
        parts.getInstance(Key.get(LISTENERS, Names.named(TrainingBindings.EARLY))).forEach(b::earlyListener);
        parts.getInstance(Key.get(LISTENERS)).forEach(b::listener);
        return new Prepared(b, checkpoints);
    }

    private EvaluationSettings evaluation(Path synthetic) throws IOException {
        TrainConfig.Evaluation e = config.evaluation();
        Path promptFile = e.prompts() != null ? Path.of(e.prompts())
                : config.data().synthetic() ? synthetic.resolve("prompts.jsonl") : null;
        boolean reward = switch (e.trueReward()) {
            case SENTIMENT -> true;
            case NONE -> false;
            case AUTO -> config.data().synthetic();
        };
        return new EvaluationSettings(config.training().evalEvery(), e.samplePrompts(), e.maxNewTokens(),
                e.temperature(), e.topP(), promptFile == null ? null : EvaluationSettings.promptsFrom(promptFile),
                reward ? SyntheticDataset::reward : null);
    }

    /** The configuration's supervised warm-up. */
    private ModelHub.WarmUp warmUp(TruncationSettings lengths) {
        TrainConfig.Sft s = config.sft();
        return new ModelHub.WarmUp(warmsUp(), s.steps(), s.lr(), s.batchSize(), s.data() == null ? null
                : Path.of(s.data()), lengths.maxLength());
    }

    /** True when the supervised warm-up runs before preference training. */
    private boolean warmsUp() {
        return config.sft().enabled() == TrainConfig.SftMode.TRUE
                || (config.sft().enabled() == TrainConfig.SftMode.AUTO && TrainConfig.TINY.equals(config.model()));
    }

    private boolean needsSynthetic() {
        return config.data().synthetic() || (TrainConfig.TINY.equals(config.model()) && config.sft().data() == null);
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
        json.put("report", out.resolve(io.dpo4j.bench.report.RunReport.FILE).toString());
        AtomicFiles.writeString(out.resolve("summary.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                .writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    /** The run's report.html (a failure to render it is a warning: the run itself succeeded). */
    private void writeReport() {
        try {
            io.dpo4j.bench.report.RunReport.write(out);
        } catch (IOException | RuntimeException e) {
            log.println("warning: could not write " + out.resolve(io.dpo4j.bench.report.RunReport.FILE) + ": "
                    + e.getMessage() + " (dpo report " + out + " retries)");
        }
    }

    /** The resolved configuration's YAML, as written into the run folder. */
    public String resolvedYaml() {
        return ConfigFiles.toYaml(config.toTree());
    }
}
