package io.dpo4j.bench.lab;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.bench.PeakMemory;
import io.dpo4j.bench.scenario.BenchContext;
import io.dpo4j.core.data.PairedExample;
import io.dpo4j.core.data.PreferenceExample;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TruncationPolicy;
import io.dpo4j.core.data.TruncationSettings;
import io.dpo4j.core.generation.GenerationResult;
import io.dpo4j.core.generation.Generator;
import io.dpo4j.core.generation.SamplingOptions;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.synthetic.SyntheticDataset;
import io.dpo4j.core.tokenizer.TextTokenizer;
import io.dpo4j.core.train.ModelHub;
import io.dpo4j.core.train.SequenceScorer;
import io.dpo4j.core.train.Threads;
import io.dpo4j.train.EvaluationSettings;
import io.dpo4j.train.OptimizerSettings;
import io.dpo4j.train.PreferenceTraining;
import io.dpo4j.train.Reference;
import io.dpo4j.train.TrainingData;
import io.dpo4j.train.TrainingResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The DPO paper's protocol (§6) in miniature, for one seed, on the built-in controlled-sentiment
 * language: a warmed-up tiny model is the reference π_ref; k completions per training prompt are
 * sampled from π_ref and labelled by Bradley–Terry on the ground-truth reward; held-out prompts are
 * kept for evaluation. Training runs go through the library API ({@link PreferenceTraining}) on the
 * pairs in memory, and a {@link RunRecorder} listener collects each evaluation and its samples;
 * afterwards the samples are scored by π_ref to estimate the sequence-level
 * KL(π‖π_ref) = E_{y∼π}[log π(y) − log π_ref(y)] at every evaluation. Everything is generated and
 * deterministic by seed.
 */
public final class LanguageLab {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The protocol's sizes.
     *
     * @param sftSteps supervised warm-up steps of π_ref
     * @param trainPrompts distinct training prompts
     * @param samplesPerPrompt completions sampled per prompt (pairs are formed from consecutive ones)
     * @param heldOutPrompts held-out prompts (validation pairs and evaluation samples)
     * @param evalPrompts held-out prompts sampled at each evaluation
     * @param maxNewTokens longest sampled completion
     * @param bradleyTerryScale α in P(a ≻ b) = σ(α·(r(a) − r(b)))
     * @param lr the preference runs' learning rate
     * @param batchSize the preference runs' batch size
     */
    public record Settings(int sftSteps, int trainPrompts, int samplesPerPrompt, int heldOutPrompts, int evalPrompts,
            int maxNewTokens, double bradleyTerryScale, double lr, int batchSize) {
    }

    /**
     * Preference pairs sampled from π_ref.
     *
     * @param train pairs on the training prompts
     * @param validation pairs on the held-out prompts
     */
    public record Preferences(List<PairedExample> train, List<PairedExample> validation) {

        /** As training data. */
        public TrainingData data() {
            return TrainingData.of(train, validation);
        }
    }

    /** Preferences already sampled in this process, by lab folder and name (scenarios share them). */
    private static final Map<String, Preferences> SAMPLED = new ConcurrentHashMap<>();

    /** The chunked kernel with the logits budget of {@code dpo train}'s default (256 MiB). */
    private static final long KERNEL_BUDGET = 256L << 20;

    /** Decides, for two completions, which is chosen; may be noisy. */
    @FunctionalInterface
    public interface Labeler {
        /** True when {@code a} is chosen over {@code b}. */
        boolean prefersFirst(String prompt, String a, int lengthA, String b, int lengthB, Random rng);
    }

    private final BenchContext ctx;
    private final long seed;
    private final Settings settings;
    private final Path dir;
    private final Path cache;
    private final Path synthetic;
    private final Path reference;
    private final LogProbKernel kernel = KernelType.CHUNKED.create(KERNEL_BUDGET);
    private final List<String> trainPrompts;
    private final List<String> heldOut;

    private LanguageLab(BenchContext ctx, long seed, Settings settings) throws IOException {
        this.ctx = ctx;
        this.seed = seed;
        this.settings = settings;
        this.dir = ctx.output().resolve("work").resolve("seed-" + seed);
        this.cache = ctx.output().resolve("work").resolve("cache");
        Files.createDirectories(dir);
        Threads.configure(1, 0);
        this.synthetic = cache.resolve("synthetic-" + seed);
        if (!Files.isRegularFile(synthetic.resolve("dataset.json"))) {
            new SyntheticDataset().write(synthetic, new SyntheticDataset.Settings(seed, 3000, 10,
                    Math.max(10, settings.heldOutPrompts()), settings.heldOutPrompts()));
        }
        this.heldOut = promptsOf(synthetic.resolve("prompts.jsonl"));
        this.trainPrompts = new SyntheticDataset().prompts(new Random(seed * 31 + 7), settings.trainPrompts(),
                new HashSet<>(heldOut));
        this.reference = model(true);
    }

    /** Opens (generating what is missing) the lab of one seed. */
    public static LanguageLab open(BenchContext ctx, long seed, Settings settings) throws IOException {
        return new LanguageLab(ctx, seed, settings);
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** The warmed-up reference policy π_ref (Hugging Face folder). */
    public Path reference() {
        return reference;
    }

    /** The un-warmed base model: the tiny model at its random initialisation. */
    public Path base() throws IOException {
        return model(false);
    }

    private Path model(boolean warm) throws IOException {
        try (PrintWriter log = logFile(warm ? "warmup" : "base")) {
            return new ModelHub(cache, log).initialPolicy(ModelHub.TINY, seed,
                    ModelHub.WarmUp.defaults(warm, settings.sftSteps()), synthetic, kernel);
        }
    }

    /**
     * Preference data sampled from π_ref: {@code samplesPerPrompt} completions per training prompt,
     * paired consecutively and labelled by {@code labeler}; validation pairs likewise on the held-out
     * prompts. Sampled once per process for a seed and name.
     */
    public Preferences preferences(String name, Labeler labeler) throws IOException {
        String key = dir.toAbsolutePath() + "/" + name;
        Preferences done = SAMPLED.get(key);
        if (done != null) {
            return done;
        }
        Preferences p;
        try (NDManager manager = NDManager.newBaseManager();
                LlamaModel ref = HuggingFaceCheckpoint.load(reference, manager.newSubManager());
                TextTokenizer tokenizer = TextTokenizer.load(reference)) {
            Random rng = new Random(seed * 1_000_033L + name.hashCode());
            p = new Preferences(pairs(ref, tokenizer, trainPrompts, labeler, rng, 1, name + "-train"),
                    pairs(ref, tokenizer, heldOut, labeler, rng, 2, name + "-validation"));
        }
        SAMPLED.put(key, p);
        return p;
    }

    private List<PairedExample> pairs(LlamaModel model, TextTokenizer tokenizer, List<String> prompts, Labeler labeler,
            Random rng, long stream, String name) {
        int k = Math.max(2, settings.samplesPerPrompt());
        List<long[]> inputs = new ArrayList<>();
        for (String p : prompts) {
            long[] ids = tokenizer.encode(p);
            for (int i = 0; i < k; i++) {
                inputs.add(ids);
            }
        }
        long eos = tokenizer.eosTokenId().orElseThrow();
        long pad = tokenizer.padTokenId().orElse(eos);
        List<long[]> completions = new ArrayList<>();
        for (int start = 0; start < inputs.size(); start += 256) {
            List<long[]> chunk = inputs.subList(start, Math.min(inputs.size(), start + 256));
            GenerationResult g = Generator.generate(model, chunk, new SamplingOptions(settings.maxNewTokens(), 1.0, 1.0,
                    seed * 7919 + stream * 104_729 + start), Set.of(eos), pad);
            completions.addAll(g.tokens());
        }
        List<PairedExample> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            String prompt = prompts.get(i);
            for (int j = 0; j + 1 < k; j += 2) {
                long[] a = strip(completions.get(i * k + j), eos);
                long[] b = strip(completions.get(i * k + j + 1), eos);
                if (a.length == 0 || b.length == 0) {
                    continue;
                }
                String ta = tokenizer.decode(a, true);
                String tb = tokenizer.decode(b, true);
                if (ta.isBlank() || tb.isBlank() || ta.equals(tb)) {
                    continue;
                }
                boolean first = labeler.prefersFirst(prompt, ta, a.length, tb, b.length, rng);
                out.add(TrainingData.pair(name + "-" + (out.size() + 1), prompt, first ? ta : tb, first ? tb : ta));
            }
        }
        return out;
    }

    private static long[] strip(long[] tokens, long eos) {
        int n = tokens.length;
        return n > 0 && tokens[n - 1] == eos ? java.util.Arrays.copyOf(tokens, n - 1) : tokens;
    }

    /** Bradley–Terry labelling on the true reward: P(a ≻ b) = σ(α·(r(a) − r(b))). */
    public Labeler bradleyTerry() {
        double alpha = settings.bradleyTerryScale();
        return (p, a, la, b, lb, rng) -> rng.nextDouble() < sigmoid(alpha
                * (SyntheticDataset.reward(p, a) - SyntheticDataset.reward(p, b)));
    }

    /** Bradley–Terry on the true reward plus {@code perToken} per response token: longer tends to win. */
    public Labeler lengthBiased(double perToken) {
        double alpha = settings.bradleyTerryScale();
        return (p, a, la, b, lb, rng) -> rng.nextDouble() < sigmoid(alpha
                * (SyntheticDataset.reward(p, a) - SyntheticDataset.reward(p, b) + perToken * (la - lb)));
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /**
     * One training run through the library API.
     *
     * @param name a unique run name (its log file)
     * @param initial the initial policy folder (π_ref or the base)
     * @param data the training and validation examples
     * @param objective {@code {id, params}} as in a training configuration
     */
    public Run train(String name, Path initial, TrainingData data, ObjectNode objective, int steps, int evalEvery)
            throws IOException {
        ConfiguredObjective configured = ctx.registry().require(objective.get("id").asText())
                .configure(params(objective));
        int responseLength = settings.maxNewTokens() + 1;
        RunRecorder recorder = new RunRecorder();
        long start = System.nanoTime();
        double peak;
        try (PrintWriter log = logFile(name); PeakMemory memory = PeakMemory.start()) {
            PreferenceTraining training = PreferenceTraining.builder()
                    .policy(initial)
                    .reference(Reference.model(reference))
                    .objective(configured)
                    .data(data)
                    .optimizer(OptimizerSettings.adamW(settings.lr()))
                    .batchSize(settings.batchSize())
                    .steps(steps)
                    .seed(seed)
                    .kernel(KernelType.CHUNKED.create(KERNEL_BUDGET))
                    .truncation(new TruncationSettings(16, responseLength, 16 + responseLength,
                            TruncationPolicy.TRUNCATE))
                    .evaluation(EvaluationSettings.defaults().withEvery(evalEvery)
                            .withSampling(settings.evalPrompts(), settings.maxNewTokens())
                            .withPrompts(heldOut).withReward(SyntheticDataset::reward))
                    .listener(recorder)
                    .cacheDirectory(cache)
                    .log(log)
                    .build();
            try (TrainingResult result = training.fit()) {
                peak = memory.peakMib();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return recorder.run(name, seed, objective, dir.resolve("logs").resolve(name + ".log"), seconds, peak);
    }

    private static Map<String, Object> params(ObjectNode objective) {
        Map<String, Object> out = new LinkedHashMap<>();
        objective.path("params").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNumber()
                ? e.getValue().asDouble() : e.getValue().isBoolean() ? e.getValue().asBoolean() : e.getValue().asText()));
        return out;
    }

    /** Estimates KL(π‖π_ref) at every evaluation of the runs from their samples, scored by π_ref. */
    public void scoreKl(List<Run> runs) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                LlamaModel ref = HuggingFaceCheckpoint.load(reference, manager.newSubManager());
                TextTokenizer tokenizer = TextTokenizer.load(reference)) {
            int pad = (int) tokenizer.padTokenId().orElse(tokenizer.eosTokenId().orElseThrow());
            SequenceScorer scorer = new SequenceScorer(ref, kernel, pad, 64);
            for (Run run : runs) {
                for (Run.Eval e : run.evals()) {
                    List<TokenIds> prompts = new ArrayList<>();
                    List<TokenIds> completions = new ArrayList<>();
                    List<Double> policy = new ArrayList<>();
                    for (io.dpo4j.train.EvaluationEvent.Sample s : e.samples()) {
                        if (s.policyLogp() == null) {
                            continue;
                        }
                        prompts.add(TokenIds.of(s.promptIds()));
                        completions.add(TokenIds.of(java.util.Arrays.stream(s.completionIds()).mapToInt(x -> (int) x)
                                .toArray()));
                        policy.add(s.policyLogp());
                    }
                    if (prompts.isEmpty()) {
                        continue;
                    }
                    double[] refLogps = scorer.score(prompts, completions, manager, null);
                    double kl = 0;
                    for (int i = 0; i < refLogps.length; i++) {
                        kl += policy.get(i) - refLogps[i];
                    }
                    e.kl(kl / refLogps.length);
                }
            }
        }
    }

    private PrintWriter logFile(String name) throws IOException {
        Path file = dir.resolve("logs").resolve(name + ".log");
        Files.createDirectories(file.getParent());
        return new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), true);
    }

    private static List<String> promptsOf(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line).get("prompt").asText());
            }
        }
        return out;
    }

    /** The training prompts (for scenarios that build their own data). */
    public List<String> trainPrompts() {
        return trainPrompts;
    }

    /** Writes a config snippet {@code {id, params}}. */
    public static ObjectNode objective(String id, Map<String, ?> params) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        ObjectNode p = o.putObject("params");
        params.forEach((k, v) -> {
            if (v instanceof Number n) {
                p.put(k, n.doubleValue());
            } else if (v instanceof Boolean b) {
                p.put(k, b);
            } else {
                p.put(k, String.valueOf(v));
            }
        });
        return o;
    }
}
