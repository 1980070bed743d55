package io.dpo4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.cli.DpoMain;
import io.dpo4j.cli.TrainCommand;
import io.dpo4j.cli.TrainJob;
import io.dpo4j.cli.config.ConfigFiles;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.ModelFixtures;
import io.dpo4j.core.model.SaveOptions;
import io.dpo4j.core.registry.ObjectiveRegistry;
import io.dpo4j.core.train.ReferenceCache;
import io.dpo4j.core.train.ReferencePass;
import io.dpo4j.core.train.Threads;
import io.dpo4j.train.ReferencePlan;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark jobs on one embedded {@code local[2,2]} Spark (two task slots, two attempts per task), shared
 * by the class: the reference cache equals the single-process pass and {@code dpo train} reuses it with
 * no reference forward; Parquet input gives the same cache; evaluation equals {@code dpo score}; bad input
 * is one driver-side line; a task that fails once is retried with an unchanged result.
 */
@Tag("spark")
@Tag("slow")
@Timeout(300)
@DisplayName("dpo spark: reference scoring and evaluation on an embedded local Spark")
class SparkJobsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = {"the", "a", "movie", "film", "was", "is", "and", "but", "very", "really",
        "quite", "not", "good", "great", "bad", "awful", "boring", "fun", "lovely", "terrible", "acting", "plot",
        "story", "music", "ending", "i", "it", "this", "that", "so", "too", "much", "liked", "loved", "hated"};

    /** Enough pairs for several reference batches (the memory plan makes them 64 sequences here), so partitions matter. */
    private static final int PAIRS = 100;

    @TempDir
    static Path dir;

    private static SparkSession spark;
    private static Path model;
    private static Path policy;
    private static Path train;

    private record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() throws IOException {
        spark = SparkSession.builder().master("local[2,2]").appName("dpo4j-test")
                .config("spark.ui.enabled", "false").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1").config("spark.sql.shuffle.partitions", "2").getOrCreate();
        model = fixture();
        // A second model with the same tokenizer: the policy of the evaluation (rewards are then not all zero).
        policy = dir.resolve("policy");
        try (LlamaModel m = HuggingFaceCheckpoint.load(model)) {
            ModelFixtures.randomize(m, 5);
            HuggingFaceCheckpoint.save(m, policy, SaveOptions.defaults().withTokenizerSource(model));
        }
        train = pairs(dir.resolve("pairs.jsonl"), PAIRS, 3);
        Threads.configure(1, 0);
    }

    /** The tiny Llama of dpo-core's fixtures (copied into this module's test resources). */
    private static Path fixture() {
        try {
            return Path.of(SparkJobsTest.class.getResource("/spark-fixtures/tiny-llama/config.json").toURI()).getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Path pairs(Path file, int n, long seed) throws IOException {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            text.append(JSON.writeValueAsString(java.util.Map.of("prompt", words(random, 2 + random.nextInt(4)),
                    "chosen", words(random, 1 + random.nextInt(6)), "rejected", words(random, 1 + random.nextInt(6)))))
                    .append('\n');
        }
        Files.writeString(file, text);
        return file;
    }

    private static String words(Random random, int n) {
        List<String> w = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            w.add(WORDS[random.nextInt(WORDS.length)]);
        }
        return String.join(" ", w);
    }

    private static Path config(Path folder, String data) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve("train.yaml");
        Files.writeString(file, """
                model: %s
                seed: 7
                threads: 1
                sft: {enabled: false}
                data: {train: [%s], validation_split: 0.2, max_prompt_length: 8, max_response_length: 8, max_length: 16}
                objective: {id: dpo}
                batch_size: 4
                max_steps: 2
                eval_every: 2
                checkpoint_every: 2
                evaluation: {sample_prompts: 2, max_new_tokens: 4}
                output: %s
                """.formatted(model, data, folder.resolve("run")));
        return file;
    }

    private static Run dpo(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DpoMain.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static TrainConfig read(Path file) {
        return TrainConfig.read(file.toString(), ConfigFiles.load(file), p -> ObjectiveRegistry.discover(
                SparkJobsTest.class.getClassLoader(), p));
    }

    private static List<Path> cacheFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder.resolve(".cache"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("reference-")).toList();
        }
    }

    @Test
    @DisplayName("the cache equals the single-process reference pass to 1e-6, and dpo train reuses it: no reference forward")
    void cacheIsTheOneTrainReads() throws IOException {
        Path folder = dir.resolve("score");
        Path cfg = config(folder, train.toString());
        int loadsBefore = ExecutorModels.loads();
        Run run = dpo("spark", "score", cfg.toString(), "--partitions", "2");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(ExecutorModels.loads() - loadsBefore).as("the model is loaded once per executor JVM").isLessThanOrEqualTo(1);
        List<Path> files = cacheFiles(folder);
        assertThat(files).hasSize(1);
        ReferenceCache spark = ReferenceCache.load(files.get(0)).orElseThrow();

        // The single-process pass of the same plan, as dpo train would run it.
        TrainConfig config = read(cfg);
        ReferencePlan plan = new TrainJob(config, new TrainJob.Options(false, false, null),
                new PrintWriter(Writer.nullWriter())).referencePlan();
        assertThat(plan.cacheFile()).isEqualTo(files.get(0));
        assertThat(ReferenceScoringJob.batches(plan)).as("batches of %d rows", plan.batchRows()).hasSizeGreaterThanOrEqualTo(3);
        List<TokenIds[]> sequences = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            sequences.add(new TokenIds[] {plan.prompts().get(i), plan.responses().get(i)});
        }
        ReferenceCache single = ReferencePass.run(plan.referenceFolder(), null, null, sequences,
                KernelType.CHUNKED.create((long) config.kernel().memoryBudgetMb() << 20), plan.padId(),
                plan.batchRows(), ai.djl.Device.cpu(), new PrintWriter(Writer.nullWriter())).cache();
        assertThat(spark.size()).isEqualTo(single.size()).isEqualTo(plan.size());
        for (int i = 0; i < plan.size(); i++) {
            ReferenceCache.Key key = ReferenceCache.Key.of(plan.prompts().get(i).toArray(),
                    plan.responses().get(i).toArray());
            assertThat(spark.get(key)).as("sequence %d", i).isCloseTo(single.get(key), within(1e-6));
        }

        // dpo train with the same configuration: the cache is reused, the reference model never runs.
        StringWriter log = new StringWriter();
        TrainJob.Summary summary = new TrainJob(config, new TrainJob.Options(false, false, null),
                new PrintWriter(log, true)).run();
        assertThat(summary.referenceCacheReused()).as(log.toString()).isTrue();
        assertThat(summary.referenceScored()).isZero();
        assertThat(log.toString()).contains("reference statistics: reused " + files.get(0));
        JsonNode json = JSON.readTree(folder.resolve("run").resolve("summary.json").toFile());
        assertThat(json.get("reference_sequences_scored").asInt()).isZero();
    }

    @Test
    @DisplayName("a task whose first attempt fails is retried by Spark, and the cache is unchanged")
    void retriedTaskLeavesTheResultUnchanged() throws IOException {
        Path folder = dir.resolve("retry");
        Path cfg = config(folder, train.toString());
        Run first = dpo("spark", "score", cfg.toString(), "--partitions", "3");
        assertThat(first.exit()).as(first.err()).isZero();
        Path file = cacheFiles(folder).get(0);
        ReferenceCache before = ReferenceCache.load(file).orElseThrow();
        int injected = TaskFaults.injected();
        spark.conf().set(TaskFaults.PARTITION, "1");
        try {
            Run again = dpo("spark", "score", cfg.toString(), "--partitions", "3");
            assertThat(again.exit()).as(again.err()).isZero();
        } finally {
            spark.conf().unset(TaskFaults.PARTITION);
        }
        assertThat(TaskFaults.injected()).as("the first attempt of partition 1 failed").isEqualTo(injected + 1);
        assertThat(cacheFiles(folder)).containsExactly(file);
        ReferenceCache after = ReferenceCache.load(file).orElseThrow();
        assertThat(after.size()).isEqualTo(before.size());
        TrainConfig config = read(cfg);
        ReferencePlan plan = new TrainJob(config, new TrainJob.Options(false, false, null),
                new PrintWriter(Writer.nullWriter())).referencePlan();
        for (int i = 0; i < plan.size(); i++) {
            ReferenceCache.Key key = ReferenceCache.Key.of(plan.prompts().get(i).toArray(),
                    plan.responses().get(i).toArray());
            assertThat(after.get(key)).isEqualTo(before.get(key));
        }
        try (Stream<Path> left = Files.list(folder.resolve(".cache"))) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    @DisplayName("Parquet input is read through the same pipeline: the same cache file (same fingerprints) as its JSONL")
    void parquetGivesTheSameCache() throws IOException {
        Path parquet = dir.resolve("pairs.parquet");
        spark.read().json(train.toString()).coalesce(1).write().parquet(parquet.toString());
        Path jsonFolder = dir.resolve("json");
        Run json = dpo("spark", "score", config(jsonFolder, train.toString()).toString());
        assertThat(json.exit()).as(json.err()).isZero();
        Path parquetFolder = dir.resolve("parquet");
        Run run = dpo("spark", "score", config(parquetFolder, parquet.toString()).toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains("(Parquet, " + PAIRS + " rows)");
        Path a = cacheFiles(jsonFolder).get(0);
        Path b = cacheFiles(parquetFolder).get(0);
        assertThat(b.getFileName()).isEqualTo(a.getFileName());
        ReferenceCache x = ReferenceCache.load(a).orElseThrow();
        ReferenceCache y = ReferenceCache.load(b).orElseThrow();
        assertThat(y.size()).isEqualTo(x.size());
    }

    @Test
    @DisplayName("evaluation equals dpo score row for row, with Parquet rows and a summary of accuracy and margins")
    void evaluationEqualsDpoScore() throws IOException {
        Path scored = dir.resolve("score.jsonl");
        Run single = dpo("score", "--model", policy.toString(), "--reference", model.toString(), "--data",
                train.toString(), "--out", scored.toString(), "--batch-size", "6");
        assertThat(single.exit()).as(single.err()).isZero();
        Path out = dir.resolve("eval");
        Run run = dpo("spark", "evaluate", "--model", policy.toString(), "--reference", model.toString(), "--data",
                train.toString(), "--out", out.toString(), "--batch-size", "6", "--partitions", "2");
        assertThat(run.exit()).as(run.err()).isZero();
        List<String> expected = Files.readAllLines(scored).stream().filter(l -> !l.isBlank()).toList();
        List<String> actual = Files.readAllLines(out.resolve("rows.jsonl")).stream().filter(l -> !l.isBlank()).toList();
        assertThat(actual).hasSameSizeAs(expected).hasSize(PAIRS);
        int correct = 0;
        double margin = 0;
        for (int i = 0; i < expected.size(); i++) {
            JsonNode e = JSON.readTree(expected.get(i));
            JsonNode a = JSON.readTree(actual.get(i));
            assertThat(a.get("line").asInt()).isEqualTo(e.get("line").asInt());
            for (String f : List.of("chosen_logp", "rejected_logp", "reference_chosen_logp", "reference_rejected_logp",
                    "chosen_reward", "rejected_reward", "reward_margin")) {
                assertThat(a.get(f).asDouble()).as("row %d %s", i, f).isCloseTo(e.get(f).asDouble(), within(1e-6));
            }
            assertThat(a.get("correct")).isEqualTo(e.get("correct"));
            correct += e.get("correct").asBoolean() ? 1 : 0;
            margin += e.get("reward_margin").asDouble();
        }
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("pairs").asInt()).isEqualTo(PAIRS);
        assertThat(summary.get("rewards/accuracies").asDouble()).isCloseTo(correct / (double) PAIRS, within(1e-12));
        assertThat(summary.get("rewards/margins").asDouble()).isCloseTo(margin / PAIRS, within(1e-6));
        assertThat(spark.read().parquet(out.resolve("rows.parquet").toString()).count()).isEqualTo(PAIRS);
    }

    @Test
    @DisplayName("bad input: one clear line from the driver naming file, line and field — no executor stack trace")
    void badInputIsOneDriverLine() throws IOException {
        Path bad = dir.resolve("bad.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(train));
        lines.set(2, "{\"prompt\": \"the film\", \"chosen\": \"good\"}");
        Files.write(bad, lines);
        Run score = dpo("spark", "score", config(dir.resolve("bad"), bad.toString()).toString());
        assertThat(score.exit()).isEqualTo(1);
        assertThat(score.err()).contains("bad.jsonl:3").contains("rejected").doesNotContain("\tat ")
                .doesNotContain("Exception");
        assertThat(score.err().lines().filter(l -> l.startsWith("error:"))).hasSize(1);
        Run eval = dpo("spark", "evaluate", "--model", policy.toString(), "--data", bad.toString(), "--out",
                dir.resolve("bad-eval").toString());
        assertThat(eval.exit()).isEqualTo(1);
        assertThat(eval.err()).contains("bad.jsonl:3").contains("rejected").doesNotContain("\tat ");
        assertThat(dir.resolve("bad-eval")).doesNotExist();
    }

    @Test
    @DisplayName("weights that fail to load on the executors (every attempt) fail the job with one line, not a stack trace")
    void executorFailureIsOneLine() throws IOException {
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(model.resolve(f), broken.resolve(f));
        }
        // The driver reads only config.json and the tokenizer; the truncated weights fail in the tasks.
        byte[] weights = Files.readAllBytes(model.resolve("model.safetensors"));
        Files.write(broken.resolve("model.safetensors"), java.util.Arrays.copyOf(weights, weights.length / 2));
        Run run = dpo("spark", "evaluate", "--model", broken.toString(), "--data", train.toString(),
                "--out", dir.resolve("never").toString());
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).doesNotContain("\tat ").contains("dpo spark evaluate: ");
        assertThat(run.err().lines().filter(l -> l.startsWith("error:"))).hasSize(1);
        assertThat(dir.resolve("never")).doesNotExist();
    }

    static {
        // The embedded default configuration must be readable here too (the command's default).
        try {
            TrainCommand.defaultTree();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
