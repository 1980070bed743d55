package io.dpo4j.cli;

import io.dpo4j.core.train.CheckpointStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.core.DpoException;
import io.dpo4j.cli.config.ConfigFiles;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.model.safetensors.SafetensorsFile;
import io.dpo4j.core.model.safetensors.TensorEntry;
import io.dpo4j.core.objective.DpoObjective;
import io.dpo4j.core.registry.ObjectiveRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end training on the tiny model: small, so the whole class runs in well under a minute. */
@Tag("slow")
@DisplayName("TrainJob: the training loop, end to end on the tiny model")
class TrainJobTest {

    @TempDir
    static Path shared;

    static Path cache;

    @BeforeAll
    static void cacheFolder() {
        cache = shared.resolve("cache");
    }

    static final String BASE = """
            model: tiny
            seed: 7
            sft: {steps: 20, lr: 5.0e-3, batch_size: 16}
            data: {max_prompt_length: 16, max_response_length: 16, max_length: 32}
            objective: {id: dpo, params: {beta: 0.1}}
            optimizer: {lr: 1.0e-3}
            batch_size: 8
            max_steps: 6
            eval_every: 3
            checkpoint_every: 3
            keep_checkpoints: 5
            evaluation: {sample_prompts: 4, max_new_tokens: 8}
            """;

    static TrainConfig config(Path out, String... overrides) {
        ObjectNode tree = ConfigFiles.parse("test.yaml", BASE);
        ConfigFiles.applyOverrides(tree, List.of(overrides));
        tree.put("output", out.toString());
        return TrainConfig.read("test.yaml", tree, p -> ObjectiveRegistry.of(List.of(new DpoObjective())));
    }

    static TrainJob.Summary run(TrainConfig c, boolean resume) throws Exception {
        StringWriter log = new StringWriter();
        return new TrainJob(c, new TrainJob.Options(resume, false, cache), new PrintWriter(log, true))
                .run();
    }

    static Map<String, float[]> weights(Path modelFolder) {
        try (SafetensorsFile f = SafetensorsFile.open(modelFolder.resolve("model.safetensors"))) {
            Map<String, float[]> out = new java.util.TreeMap<>();
            for (Map.Entry<String, TensorEntry> e : f.tensors().entrySet()) {
                out.put(e.getKey(), f.readAsFloat32(e.getValue()));
            }
            return out;
        }
    }

    static void assertClose(Map<String, float[]> a, Map<String, float[]> b, double tolerance) {
        assertThat(a.keySet()).isEqualTo(b.keySet());
        for (String k : a.keySet()) {
            float[] x = a.get(k);
            float[] y = b.get(k);
            for (int i = 0; i < x.length; i++) {
                assertThat((double) Math.abs(x[i] - y[i])).as("%s[%d]", k, i).isLessThanOrEqualTo(tolerance);
            }
        }
    }

    @Test
    @DisplayName("writes metrics.jsonl, checkpoints, samples, the resolved configuration and a model dpo score can read")
    void outputs(@TempDir Path dir) throws Exception {
        TrainJob.Summary s = run(config(dir.resolve("run")), false);
        Path out = dir.resolve("run");
        assertThat(s.steps()).isEqualTo(6);
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(6 + 3)
                .anySatisfy(l -> assertThat(l).contains("\"split\":\"eval\"").contains("eval/rewards/accuracies"))
                .anySatisfy(l -> assertThat(l).contains("\"split\":\"train\"").contains("grad_norm"));
        assertThat(out.resolve("config.resolved.yaml")).exists();
        assertThat(out.resolve("checkpoints/step-00000006/model/model.safetensors")).exists();
        assertThat(out.resolve("checkpoints/step-00000006/optimizer.safetensors")).exists();
        assertThat(CheckpointStore.verify(out.resolve("checkpoints/step-00000006"))).isEmpty();
        assertThat(out.resolve("model/config.json")).exists();
        assertThat(out.resolve("model/tokenizer.json")).exists();
        assertThat(out.resolve("samples/step-00000006.jsonl")).exists();
        assertThat(s.lastEvaluation()).containsKeys("eval/rewards/accuracies", "eval/rewards/margins",
                "eval/sample_length", "eval/sample_reward");
    }

    @Test
    @DisplayName("a resumed run ends with exactly the weights of an uninterrupted one")
    void resumeEqualsUninterrupted(@TempDir Path dir) throws Exception {
        run(config(dir.resolve("whole")), false);
        Path half = dir.resolve("half");
        Files.createDirectories(half.resolve("checkpoints"));
        Files.copy(dir.resolve("whole/config.resolved.yaml"), half.resolve("config.resolved.yaml"));
        Files.copy(dir.resolve("whole/metrics.jsonl"), half.resolve("metrics.jsonl"));
        copyTree(dir.resolve("whole/checkpoints/step-00000003"), half.resolve("checkpoints/step-00000003"));
        // The resolved configuration names the output folder: rewrite it for the copy.
        Files.writeString(half.resolve("config.resolved.yaml"), Files.readString(half.resolve("config.resolved.yaml"))
                .replace(dir.resolve("whole").toString(), half.toString()));
        run(config(half), true);
        assertClose(weights(dir.resolve("whole/model")), weights(half.resolve("model")), 1e-6);
        assertThat(Files.readAllLines(half.resolve("metrics.jsonl")))
                .hasSameSizeAs(Files.readAllLines(dir.resolve("whole/metrics.jsonl")));
    }

    @Test
    @DisplayName("two micro-batches of 4 give the weights of one batch of 8")
    void accumulationIsExact(@TempDir Path dir) throws Exception {
        // Adam divides by sqrt(v): coordinates whose gradient is ~1e-9 would turn float rounding into
        // visible differences. A large epsilon makes the update proportional to the gradient, so this
        // compares the accumulated gradients themselves.
        run(config(dir.resolve("big"), "batch_size=8", "gradient_accumulation=1", "max_steps=3",
                "optimizer.eps=1.0", "optimizer.lr=1.0"), false);
        run(config(dir.resolve("small"), "batch_size=4", "gradient_accumulation=2", "max_steps=3",
                "optimizer.eps=1.0", "optimizer.lr=1.0"), false);
        assertClose(weights(dir.resolve("big/model")), weights(dir.resolve("small/model")), 1e-6);
    }

    @Test
    @DisplayName("the reference statistics are computed once: a second run reuses the cache without the reference model")
    void referenceCacheReused(@TempDir Path dir) throws Exception {
        TrainJob.Summary first = run(config(dir.resolve("a"), "max_steps=1"), false);
        TrainJob.Summary second = run(config(dir.resolve("b"), "max_steps=1"), false);
        assertThat(second.referenceCacheReused()).isTrue();
        assertThat(second.referenceScored()).isZero();
        assertThat(first.referenceScored() + (first.referenceCacheReused() ? 1 : 0)).isPositive();
    }

    @Test
    @DisplayName("an existing run is never overwritten silently; --resume with another configuration is refused")
    void protectsRuns(@TempDir Path dir) throws Exception {
        run(config(dir.resolve("r"), "max_steps=1"), false);
        assertThatThrownBy(() -> run(config(dir.resolve("r"), "max_steps=1"), false)).isInstanceOf(DpoException.class)
                .hasMessageContaining("already holds a run").hasMessageContaining("--resume");
        assertThatThrownBy(() -> run(config(dir.resolve("r"), "max_steps=2"), true))
                .hasMessageContaining("configuration differs");
    }

    @Test
    @DisplayName("malformed data stops before training with the file, line and field")
    void badData(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("bad.jsonl");
        Files.writeString(data, "{\"prompt\": \"the movie was\", \"chosen\": \"great\", \"rejected\": \"bad\"}\n"
                + "{\"prompt\": \"the plot\", \"chosen\": 42, \"rejected\": \"bad\"}\n");
        assertThatThrownBy(() -> run(config(dir.resolve("x"), "data.train=" + data, "data.validation_split=0"), false))
                .isInstanceOf(DpoException.class).hasMessageContaining("bad.jsonl:2").hasMessageContaining("chosen");
    }

    static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
