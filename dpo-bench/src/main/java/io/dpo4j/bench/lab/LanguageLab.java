package io.dpo4j.bench.lab;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.bench.PeakMemory;
import io.dpo4j.bench.scenario.BenchContext;
import io.dpo4j.core.data.PairedExample;
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
import io.dpo4j.train.EvaluationEvent;
import io.dpo4j.train.EvaluationSettings;
import io.dpo4j.train.OptimizerSettings;
import io.dpo4j.train.PreferenceTraining;
import io.dpo4j.train.Reference;
import io.dpo4j.train.TrainingData;
import io.dpo4j.train.TrainingResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The DPO paper's protocol (§6) in miniature, for one seed, on the built-in controlled-sentiment
 * language: a warmed-up tiny model is the reference π_ref; k completions per training prompt are
 * sampled from π_ref <b>once</b> and can be labelled several ways (Bradley–Terry on the true reward,
 * length-biased, deterministic, deterministic with flipped labels); the held-out prompts are split
 * into <b>validation</b> prompts (validation pairs, and — sampled once from the trained policy — the
 * reward learning rates are chosen on) and <b>test</b> prompts (sampled at every evaluation: every
 * number a verdict reads). Training runs go through the library API
 * ({@link PreferenceTraining}); a {@link RunRecorder} collects each evaluation and its samples, and
 * when the run ends π_ref scores the test samples to estimate the sequence-level
 * KL(π‖π_ref) = E_{y∼π}[log π(y) − log π_ref(y)] at every evaluation.
 *
 * <p>Runs are submitted to the context's executor (two at a time by default); each is
 * single-threaded in libtorch and seeded only by its spec and the lab's seed, so its result does not
 * depend on what runs beside it. A run is trained once per process and shared between scenarios
 * that ask for the same {@link RunSpec#key(String)}.
 */
public final class LanguageLab {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The chunked kernel with the logits budget of {@code dpo train}'s default (256 MiB). */
    private static final long KERNEL_BUDGET = 256L << 20;

    /**
     * The protocol's sizes.
     *
     * @param sftSteps supervised warm-up steps of π_ref
     * @param trainPrompts distinct training prompts
     * @param samplesPerPrompt completions sampled per prompt (pairs are formed from consecutive ones)
     * @param validationPrompts held-out prompts for validation pairs and the learning-rate choice
     * @param evalPrompts held-out test prompts sampled at each evaluation (every verdict reads these)
     * @param maxNewTokens longest sampled completion
     * @param bradleyTerryScale α in P(a ≻ b) = σ(α·(r(a) − r(b)))
     * @param lrs the learning rates every arm is swept over unless it names its own
     * @param batchSize the preference runs' batch size
     */
    public record Settings(int sftSteps, int trainPrompts, int samplesPerPrompt, int validationPrompts,
            int evalPrompts, int maxNewTokens, double bradleyTerryScale, List<Double> lrs, int batchSize) {

        public Settings {
            lrs = List.copyOf(lrs);
        }
    }

    /**
     * Preference pairs.
     *
     * @param train pairs on the training prompts
     * @param validation pairs on the validation prompts
     */
    public record Preferences(List<PairedExample> train, List<PairedExample> validation) {

        /** As training data. */
        public TrainingData data() {
            return TrainingData.of(train, validation);
        }
    }

    /** Decides, for two completions with their true rewards, which is chosen. */
    @FunctionalInterface
    public interface Labeler {
        /** 1 when {@code a} is chosen, −1 when {@code b} is, 0 to drop the pair. */
        int label(String prompt, String a, int lengthA, double rewardA, String b, int lengthB, double rewardB,
                Random rng);
    }

    /** Two completions sampled from π_ref for one prompt. */
    private record Sampled(String prompt, String a, int lengthA, double rewardA, String b, int lengthB,
            double rewardB) {
    }

    private final BenchContext ctx;
    private final long seed;
    private final Settings settings;
    private final Path dir;
    private final Path cache;
    private final Path synthetic;
    private final Path reference;
    private final List<String> trainPrompts;
    private final List<String> validationPrompts;
    private final List<String> testPrompts;
    private final List<Sampled> trainPool;
    private final List<Sampled> validationPool;
    private final long eos;
    private final Map<String, Preferences> labelled = new HashMap<>();
    private final Map<String, CompletableFuture<Run>> runs = new ConcurrentHashMap<>();
    private double[][] bestOfN;

    private LanguageLab(BenchContext ctx, long seed, Settings settings) throws IOException {
        this.ctx = ctx;
        this.seed = seed;
        this.settings = settings;
        this.dir = ctx.output().resolve("work").resolve("seed-" + seed);
        this.cache = ctx.output().resolve("work").resolve("cache");
        Files.createDirectories(dir);
        CellThread.prepare();
        int heldOut = settings.validationPrompts() + settings.evalPrompts();
        this.synthetic = cache.resolve("synthetic-" + seed + "-" + heldOut);
        if (!Files.isRegularFile(synthetic.resolve("dataset.json"))) {
            new SyntheticDataset().write(synthetic, new SyntheticDataset.Settings(seed, 3000, 10, Math.max(10, heldOut),
                    heldOut));
        }
        List<String> held = promptsOf(synthetic.resolve("prompts.jsonl"));
        if (held.size() < heldOut) {
            throw new IllegalStateException("the synthetic data set has " + held.size() + " held-out prompts, "
                    + heldOut + " are needed");
        }
        this.validationPrompts = List.copyOf(held.subList(0, settings.validationPrompts()));
        this.testPrompts = List.copyOf(held.subList(settings.validationPrompts(), heldOut));
        this.trainPrompts = new SyntheticDataset().prompts(new Random(seed * 31 + 7), settings.trainPrompts(),
                new HashSet<>(held));
        try (PrintWriter log = logFile("warmup")) {
            this.reference = new ModelHub(cache, log).initialPolicy(ModelHub.TINY, seed,
                    ModelHub.WarmUp.defaults(true, settings.sftSteps()), synthetic, kernel());
        }
        try (NDManager manager = NDManager.newBaseManager();
                LlamaModel ref = HuggingFaceCheckpoint.load(reference, manager.newSubManager());
                TextTokenizer tokenizer = TextTokenizer.load(reference)) {
            this.eos = tokenizer.eosTokenId().orElseThrow();
            this.trainPool = sample(ref, tokenizer, trainPrompts, Math.max(2, settings.samplesPerPrompt()), 1);
            this.validationPool = sample(ref, tokenizer, validationPrompts, 2, 2);
        }
    }

    /**
     * The lab of one seed, opened (π_ref warmed up, completions sampled) on the context's executor
     * once per process and shared by every scenario with the same settings.
     */
    public static CompletableFuture<LanguageLab> open(BenchContext ctx, long seed, Settings settings) {
        String key = ctx.output().toAbsolutePath() + "|" + seed + "|" + settings;
        @SuppressWarnings("unchecked")
        CompletableFuture<LanguageLab> lab = (CompletableFuture<LanguageLab>) ctx.shared().computeIfAbsent(key,
                k -> CompletableFuture.supplyAsync(() -> {
                    try {
                        ctx.cells().awaitPrepared();
                        return new LanguageLab(ctx, seed, settings);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, ctx.executor()));
        return lab;
    }

    /** Opens the labs of every seed of the context, in parallel, and waits for them. */
    public static List<LanguageLab> openAll(BenchContext ctx, Settings settings) {
        List<CompletableFuture<LanguageLab>> futures = ctx.seeds().stream().map(s -> open(ctx, s, settings)).toList();
        return futures.stream().map(BenchContext::join).toList();
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** The settings. */
    public Settings settings() {
        return settings;
    }

    /** The warmed-up reference policy π_ref (Hugging Face folder). */
    public Path reference() {
        return reference;
    }

    /** The held-out test prompts (sampled at every evaluation; every verdict reads these). */
    public List<String> testPrompts() {
        return testPrompts;
    }

    /** The validation prompts (validation pairs; the reward the learning rate is chosen on). */
    public List<String> validationPrompts() {
        return validationPrompts;
    }

    /** The training prompts. */
    public List<String> trainPrompts() {
        return trainPrompts;
    }

    private List<Sampled> sample(LlamaModel model, TextTokenizer tokenizer, List<String> prompts, int k, long stream) {
        List<long[]> inputs = new ArrayList<>();
        for (String p : prompts) {
            long[] ids = tokenizer.encode(p);
            for (int i = 0; i < k; i++) {
                inputs.add(ids);
            }
        }
        long pad = tokenizer.padTokenId().orElse(eos);
        List<long[]> completions = new ArrayList<>();
        for (int start = 0; start < inputs.size(); start += 256) {
            List<long[]> chunk = inputs.subList(start, Math.min(inputs.size(), start + 256));
            GenerationResult g = Generator.generate(model, chunk, new SamplingOptions(settings.maxNewTokens(), 1.0, 1.0,
                    seed * 7919 + stream * 104_729 + start), Set.of(eos), pad);
            completions.addAll(g.tokens());
        }
        List<Sampled> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            String prompt = prompts.get(i);
            for (int j = 0; j + 1 < k; j += 2) {
                long[] a = strip(completions.get(i * k + j));
                long[] b = strip(completions.get(i * k + j + 1));
                if (a.length == 0 || b.length == 0) {
                    continue;
                }
                String ta = tokenizer.decode(a, true);
                String tb = tokenizer.decode(b, true);
                if (ta.isBlank() || tb.isBlank() || ta.equals(tb)) {
                    continue;
                }
                out.add(new Sampled(prompt, ta, a.length, SyntheticDataset.reward(prompt, ta), tb, b.length,
                        SyntheticDataset.reward(prompt, tb)));
            }
        }
        return out;
    }

    private long[] strip(long[] tokens) {
        int n = tokens.length;
        return n > 0 && tokens[n - 1] == eos ? Arrays.copyOf(tokens, n - 1) : tokens;
    }

    /**
     * The sampled completions labelled by {@code labeler}, training and validation pairs alike; the
     * labels' randomness is seeded by the lab's seed and {@code name}, so a name always gives the
     * same pairs.
     */
    public synchronized Preferences preferences(String name, Labeler labeler) {
        Preferences done = labelled.get(name);
        if (done != null) {
            return done;
        }
        Random rng = new Random(seed * 1_000_033L + name.hashCode());
        Preferences p = new Preferences(label(trainPool, labeler, rng, name + "-train"),
                label(validationPool, labeler, rng, name + "-validation"));
        labelled.put(name, p);
        return p;
    }

    private static List<PairedExample> label(List<Sampled> pool, Labeler labeler, Random rng, String name) {
        List<PairedExample> out = new ArrayList<>();
        for (Sampled s : pool) {
            int l = labeler.label(s.prompt(), s.a(), s.lengthA(), s.rewardA(), s.b(), s.lengthB(), s.rewardB(), rng);
            if (l != 0) {
                boolean first = l > 0;
                out.add(TrainingData.pair(name + "-" + (out.size() + 1), s.prompt(), first ? s.a() : s.b(),
                        first ? s.b() : s.a()));
            }
        }
        return out;
    }

    /** Bradley–Terry labelling on the true reward: P(a ≻ b) = σ(α·(r(a) − r(b))). */
    public Labeler bradleyTerry() {
        return lengthBiased(0);
    }

    /** Bradley–Terry on the true reward plus {@code perToken} per response token: longer tends to win. */
    public Labeler lengthBiased(double perToken) {
        double alpha = settings.bradleyTerryScale();
        return (p, a, la, ra, b, lb, rb, rng) -> rng.nextDouble() < sigmoid(alpha * (ra - rb + perToken * (la - lb)))
                ? 1 : -1;
    }

    /**
     * Deterministic labels: the response with the higher true reward always wins (ties are dropped);
     * then each label is flipped with probability {@code flip}.
     */
    public static Labeler deterministic(double flip) {
        return (p, a, la, ra, b, lb, rb, rng) -> {
            if (ra == rb) {
                return 0;
            }
            int l = ra > rb ? 1 : -1;
            return rng.nextDouble() < flip ? -l : l;
        };
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /**
     * Submits a run to the context's {@link CellRunner} — in this process or a worker process — or
     * returns the one already submitted with the same key.
     */
    public CompletableFuture<Run> submit(RunSpec spec) {
        ConfiguredObjective c = configure(spec.objective());
        return runs.computeIfAbsent(spec.key(c.id() + c.parameters()), k -> ctx.cells().run(this, spec));
    }

    /**
     * The examples of a data recipe:
     * <ul>
     *   <li>{@code bradley-terry}: Bradley–Terry labels on the true reward;</li>
     *   <li>{@code length-biased-X}: Bradley–Terry on the true reward plus X per response token;</li>
     *   <li>{@code bradley-terry/unpaired-keep-F}: its pairs unpaired, a fraction F of the desirable
     *       examples kept (at least one);</li>
     *   <li>{@code bradley-terry/surviving-F}: the pairs whose chosen response survived in the former;</li>
     *   <li>{@code deterministic/first-N/self}: deterministic labels, the first N pairs, which are also
     *       the validation pairs;</li>
     *   <li>{@code deterministic-flip-F/self-N}: deterministic labels with a fraction F flipped, the
     *       first N training pairs as the validation pairs.</li>
     * </ul>
     */
    public TrainingData examples(String recipe) {
        java.util.regex.Matcher m;
        if (recipe.equals(BRADLEY_TERRY)) {
            return preferences(BRADLEY_TERRY, bradleyTerry()).data();
        }
        if ((m = java.util.regex.Pattern.compile("length-biased-([0-9.]+)").matcher(recipe)).matches()) {
            return preferences(recipe, lengthBiased(Double.parseDouble(m.group(1)))).data();
        }
        if ((m = java.util.regex.Pattern.compile(BRADLEY_TERRY + "/(unpaired-keep|surviving)-([0-9.]+)")
                .matcher(recipe)).matches()) {
            return imbalanced(Double.parseDouble(m.group(2)))[m.group(1).equals("surviving") ? 1 : 0];
        }
        if ((m = java.util.regex.Pattern.compile("deterministic/first-([0-9]+)/self").matcher(recipe)).matches()) {
            List<PairedExample> all = preferences("deterministic", deterministic(0)).train();
            List<PairedExample> subset = all.subList(0, Math.min(Integer.parseInt(m.group(1)), all.size()));
            return TrainingData.of(subset, subset);
        }
        if ((m = java.util.regex.Pattern.compile("deterministic-flip-([0-9.]+)/self-([0-9]+)").matcher(recipe))
                .matches()) {
            List<PairedExample> train = preferences("deterministic-flip-" + m.group(1),
                    deterministic(Double.parseDouble(m.group(1)))).train();
            return TrainingData.of(train, train.subList(0, Math.min(Integer.parseInt(m.group(2)), train.size())));
        }
        throw new IllegalArgumentException("unknown data recipe: " + recipe);
    }

    /** The frontier's data recipe. */
    public static final String BRADLEY_TERRY = "bradley-terry";

    /** {unpaired KTO data, DPO data of the surviving pairs}, both with the validation pairs. */
    private TrainingData[] imbalanced(double keepDesirable) {
        Preferences pairs = preferences(BRADLEY_TERRY, bradleyTerry());
        Random rng = new Random(seed * 977 + 13);
        List<io.dpo4j.core.data.UnpairedExample> unpaired = new ArrayList<>();
        List<PairedExample> kept = new ArrayList<>();
        List<PairedExample> all = pairs.train();
        for (int i = 0; i < all.size(); i++) {
            PairedExample pair = all.get(i);
            // At least one desirable example survives, so both methods have something to learn from.
            boolean keep = rng.nextDouble() < keepDesirable || (kept.isEmpty() && i == all.size() - 1);
            if (keep) {
                unpaired.add(pair.unpair().get(0));
                kept.add(pair);
            }
            unpaired.add(pair.unpair().get(1));
        }
        return new TrainingData[] {TrainingData.of(unpaired, pairs.validation()), TrainingData.of(kept,
                pairs.validation())};
    }

    /** The objective of {@code {id, params}}: a registered one, or the Preferred-FT baseline. */
    private ConfiguredObjective configure(ObjectNode objective) {
        String id = objective.get("id").asText();
        return PreferredFt.ID.equals(id) ? new PreferredFt().configure(params(objective))
                : ctx.registry().require(id).configure(params(objective));
    }

    private static LogProbKernel kernel() {
        return KernelType.CHUNKED.create(KERNEL_BUDGET);
    }

    /** Trains a run in this process (on the calling thread). */
    public Run train(RunSpec spec) throws IOException {
        CellThread.prepare();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        String id = spec.objective().get("id").asText();
        ConfiguredObjective configured = configure(spec.objective());
        int responseLength = settings.maxNewTokens() + 1;
        List<String> samplePrompts = testPrompts;
        String unique = spec.name() + "-" + Integer.toHexString(spec.key(configured.id() + configured.parameters())
                .hashCode());
        Path model = spec.save() || PreferredFt.ID.equals(id) ? dir.resolve("models").resolve(unique) : null;
        RunRecorder recorder = new RunRecorder(0, eos);
        Path initial = spec.initial() == null ? reference : spec.initial();
        Path ref = spec.reference() == null ? reference : spec.reference();
        long start = System.nanoTime();
        double peak;
        double validationReward;
        List<String> warnings;
        Path logPath = dir.resolve("logs").resolve(unique + ".log");
        try (PrintWriter log = logFile(unique); PeakMemory memory = PeakMemory.start()) {
            PreferenceTraining.Builder b = PreferenceTraining.builder()
                    .policy(initial)
                    .reference(Reference.model(ref))
                    .objective(configured)
                    .data(examples(spec.data()))
                    .optimizer(OptimizerSettings.adamW(spec.lr()))
                    .batchSize(settings.batchSize())
                    .steps(spec.steps())
                    .seed(seed)
                    .kernel(kernel())
                    .truncation(new TruncationSettings(16, responseLength, 16 + responseLength,
                            TruncationPolicy.TRUNCATE))
                    .evaluation(EvaluationSettings.defaults().withEvery(spec.evalEvery())
                            .withSampling(samplePrompts.size(), settings.maxNewTokens())
                            .withPrompts(samplePrompts).withReward(SyntheticDataset::reward))
                    .listener(recorder)
                    .cacheDirectory(cache)
                    .log(log);
            if (model != null) {
                b.saveModelTo(model);
            }
            try (TrainingResult result = b.build().fit()) {
                validationReward = validationReward(result.model());
                peak = memory.peakMib();
                warnings = result.warnings();
            }
        }
        double[] kl = kl(recorder.evaluations(), spec.initial() == null);
        List<Run.Eval> evals = new ArrayList<>();
        for (int i = 0; i < kl.length; i++) {
            RunRecorder.Pending p = recorder.evaluations().get(i);
            evals.add(new Run.Eval(p.step(), p.reward(), p.length(), i == kl.length - 1 ? validationReward : Double.NaN,
                    p.accuracy(), p.margin(), p.logratioChosen(), p.logratioRejected(), kl[i]));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
        return new Run(spec.name(), seed, spec.objective(), spec.lr(), spec.data(), logPath, model, seconds, cpu, peak,
                recorder.tokensPerSecond(), evals, warnings);
    }

    /**
     * The mean true reward of one response sampled per validation prompt from the trained policy
     * (temperature 1, seeded by the lab's seed: every run of a seed sees the same random stream) — the
     * number learning rates are chosen on.
     */
    private double validationReward(LlamaModel policy) throws IOException {
        if (validationPrompts.isEmpty()) {
            return Double.NaN;
        }
        try (TextTokenizer tokenizer = TextTokenizer.load(reference)) {
            long pad = tokenizer.padTokenId().orElse(eos);
            List<long[]> inputs = validationPrompts.stream().map(tokenizer::encode).toList();
            policy.setTrainable(false);
            GenerationResult g = Generator.generate(policy, inputs, new SamplingOptions(settings.maxNewTokens(), 1.0, 1.0,
                    seed * 9_999_991L + 17), Set.of(eos), pad);
            double sum = 0;
            for (int i = 0; i < inputs.size(); i++) {
                sum += SyntheticDataset.reward(validationPrompts.get(i), tokenizer.decode(strip(g.tokens().get(i)), true));
            }
            return sum / inputs.size();
        }
    }

    /**
     * KL(π‖π_ref) at each evaluation, from its test samples scored by π_ref (exactly 0 at step 0 of a
     * run that starts at π_ref).
     */
    private double[] kl(List<RunRecorder.Pending> evals, boolean startsAtReference) throws IOException {
        double[] out = new double[evals.size()];
        try (NDManager manager = NDManager.newBaseManager();
                LlamaModel ref = HuggingFaceCheckpoint.load(reference, manager.newSubManager());
                TextTokenizer tokenizer = TextTokenizer.load(reference)) {
            int pad = (int) tokenizer.padTokenId().orElse(eos);
            SequenceScorer scorer = new SequenceScorer(ref, kernel(), pad, 64);
            for (int k = 0; k < out.length; k++) {
                List<TokenIds> prompts = new ArrayList<>();
                List<TokenIds> completions = new ArrayList<>();
                List<Double> policy = new ArrayList<>();
                for (EvaluationEvent.Sample s : evals.get(k).testSamples()) {
                    if (s.policyLogp() == null) {
                        continue;
                    }
                    prompts.add(TokenIds.of(s.promptIds()));
                    completions.add(TokenIds.of(Arrays.stream(s.completionIds()).mapToInt(x -> (int) x).toArray()));
                    policy.add(s.policyLogp());
                }
                if (prompts.isEmpty()) {
                    out[k] = Double.NaN;
                    continue;
                }
                double[] refLogps = scorer.score(prompts, completions, manager, null);
                double sum = 0;
                for (int i = 0; i < refLogps.length; i++) {
                    sum += policy.get(i) - refLogps[i];
                }
                out[k] = startsAtReference && evals.get(k).step() == 0 ? 0 : sum / refLogps.length;
            }
        }
        return out;
    }

    /**
     * Best-of-N from π_ref on the test prompts: {@code n} responses sampled per prompt (temperature 1),
     * each scored by the true reward, as {@code rewards[prompt][sample]}. Sampled once per lab (the
     * largest n asked for so far is kept; a smaller n reads its first columns).
     */
    public synchronized double[][] bestOfNRewards(int n) throws IOException {
        if (bestOfN != null && bestOfN.length > 0 && bestOfN[0].length >= n) {
            return bestOfN;
        }
        CellThread.prepare();
        double[][] rewards = new double[testPrompts.size()][n];
        try (NDManager manager = NDManager.newBaseManager();
                LlamaModel ref = HuggingFaceCheckpoint.load(reference, manager.newSubManager());
                TextTokenizer tokenizer = TextTokenizer.load(reference)) {
            long pad = tokenizer.padTokenId().orElse(eos);
            List<long[]> inputs = new ArrayList<>();
            for (String p : testPrompts) {
                long[] ids = tokenizer.encode(p);
                for (int i = 0; i < n; i++) {
                    inputs.add(ids);
                }
            }
            List<long[]> completions = new ArrayList<>();
            for (int start = 0; start < inputs.size(); start += 256) {
                List<long[]> chunk = inputs.subList(start, Math.min(inputs.size(), start + 256));
                completions.addAll(Generator.generate(ref, chunk, new SamplingOptions(settings.maxNewTokens(), 1.0, 1.0,
                        seed * 6_700_417L + 3 * 104_729 + start), Set.of(eos), pad).tokens());
            }
            for (int p = 0; p < testPrompts.size(); p++) {
                for (int i = 0; i < n; i++) {
                    rewards[p][i] = SyntheticDataset.reward(testPrompts.get(p),
                            tokenizer.decode(strip(completions.get(p * n + i)), true));
                }
            }
        }
        bestOfN = rewards;
        return rewards;
    }

    private static Map<String, Object> params(ObjectNode objective) {
        Map<String, Object> out = new LinkedHashMap<>();
        objective.path("params").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNumber()
                ? e.getValue().asDouble() : e.getValue().isBoolean() ? e.getValue().asBoolean() : e.getValue().asText()));
        return out;
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
                JsonNode n = JSON.readTree(line);
                out.add(n.get("prompt").asText());
            }
        }
        return out;
    }

    /** A config snippet {@code {id, params}}. */
    public static ObjectNode objective(String id, Map<String, ?> params) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        ObjectNode p = o.putObject("params");
        new java.util.TreeMap<>(params).forEach((k, v) -> {
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
