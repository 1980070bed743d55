package io.dpo4j.cli;

import io.dpo4j.core.train.CheckpointStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.lora.LoraAdapter;
import io.dpo4j.core.lora.PeftAdapterFiles;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.safetensors.SafetensorsFile;
import io.dpo4j.core.model.safetensors.TensorEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA runs of the trainer, end to end on the tiny model. */
@Tag("slow")
@DisplayName("TrainJob with lora:")
class LoraTrainingTest {

    private static final String[] LORA = {"lora.r=4", "lora.alpha=8", "lora.target_modules=all-linear",
        "lora.dropout=0.1", "optimizer.lr=3e-3"};

    private static TrainConfig config(Path out, String... more) {
        String[] all = new String[LORA.length + more.length];
        System.arraycopy(LORA, 0, all, 0, LORA.length);
        System.arraycopy(more, 0, all, LORA.length, more.length);
        return TrainJobTest.config(out, all);
    }

    private static Map<String, float[]> tensors(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, float[]> out = new TreeMap<>();
            for (Map.Entry<String, TensorEntry> e : f.tensors().entrySet()) {
                out.put(e.getKey(), f.readAsFloat32(e.getValue()));
            }
            return out;
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    @Test
    @DisplayName("checkpoints and the output hold only the PEFT adapter and its optimizer state; merge: true adds the full model")
    void outputs(@TempDir Path dir) throws Exception {
        TrainJob.Summary s = TrainJobTest.run(config(dir.resolve("run"), "lora.merge=true"), false);
        Path out = dir.resolve("run");
        Path checkpoint = out.resolve("checkpoints/step-00000006");
        assertThat(checkpoint.resolve("adapter").resolve(PeftAdapterFiles.CONFIG)).exists();
        assertThat(checkpoint.resolve("model")).doesNotExist();
        assertThat(tensors(checkpoint.resolve("optimizer.safetensors")).keySet())
                .allMatch(k -> k.startsWith(LoraAdapter.KEY_PREFIX) && (k.endsWith(".exp_avg") || k.endsWith(".exp_avg_sq")))
                .hasSize(2 * 2 * 14);
        assertThat(CheckpointStore.verify(checkpoint)).isEmpty();
        Map<String, float[]> adapter = tensors(out.resolve("adapter").resolve(PeftAdapterFiles.WEIGHTS));
        assertThat(adapter).hasSize(2 * 14);
        // B started at zero and trained
        float[] b = adapter.get(LoraAdapter.key("model.layers.0.self_attn.q_proj", "B"));
        assertThat(b).isNotEqualTo(new float[b.length]);
        assertThat(s.model()).isEqualTo(out.resolve("model"));
        try (LlamaModel merged = HuggingFaceCheckpoint.load(out.resolve("model"))) {
            assertThat(merged.adapter()).isEmpty();
        }
    }

    @Test
    @DisplayName("a resumed LoRA run (dropout on) ends with exactly the adapter of an uninterrupted one")
    void resumeEqualsUninterrupted(@TempDir Path dir) throws Exception {
        TrainJobTest.run(config(dir.resolve("whole")), false);
        Path half = dir.resolve("half");
        Files.createDirectories(half.resolve("checkpoints"));
        Files.writeString(half.resolve("config.resolved.yaml"), Files.readString(dir.resolve("whole/config.resolved.yaml"))
                .replace(dir.resolve("whole").toString(), half.toString()));
        Files.copy(dir.resolve("whole/metrics.jsonl"), half.resolve("metrics.jsonl"));
        copyTree(dir.resolve("whole/checkpoints/step-00000003"), half.resolve("checkpoints/step-00000003"));
        TrainJobTest.run(config(half), true);
        TrainJobTest.assertClose(tensors(dir.resolve("whole/adapter/adapter_model.safetensors")),
                tensors(half.resolve("adapter/adapter_model.safetensors")), 1e-6);
        // and the run did train: the resumed half moved the adapter after step 3
        assertThat(tensors(half.resolve("adapter/adapter_model.safetensors")).get(LoraAdapter.key(
                "model.layers.1.mlp.down_proj", "B"))).isNotEqualTo(tensors(dir.resolve(
                "whole/checkpoints/step-00000003/adapter/adapter_model.safetensors")).get(LoraAdapter.key(
                "model.layers.1.mlp.down_proj", "B")));
    }

    @Test
    @DisplayName("reference: adapters_off (no reference pass) trains as the cached reference does; checkpointing changes nothing")
    void liveReferenceAndCheckpointing(@TempDir Path dir) throws Exception {
        TrainJobTest.run(config(dir.resolve("cache"), "lora.dropout=0"), false);
        TrainJob.Summary live = TrainJobTest.run(config(dir.resolve("live"), "lora.dropout=0",
                "lora.reference=adapters_off", "memory.activation_checkpointing=true"), false);
        assertThat(live.referenceScored()).isZero();
        TrainJobTest.assertClose(tensors(dir.resolve("cache/adapter/adapter_model.safetensors")),
                tensors(dir.resolve("live/adapter/adapter_model.safetensors")), 1e-5);
    }

    @Test
    @DisplayName("a PEFT adapter as the starting policy and as the reference (TRL's SFT adapter): margins start at 0")
    void adapterAsPolicyAndReference(@TempDir Path dir) throws Exception {
        TrainJobTest.run(config(dir.resolve("sft")), false);
        Path adapter = dir.resolve("sft/adapter");
        TrainJob.Summary s = TrainJobTest.run(config(dir.resolve("dpo"), "lora.adapter=" + adapter,
                "reference=" + adapter), false);
        assertThat(s.referenceScored()).isPositive();
        assertThat(Math.abs(s.firstEvaluation().get("eval/rewards/margins"))).isLessThan(1e-6);
        // and the started adapter is the SFT one, not a fresh B = 0
        assertThat(tensors(dir.resolve("dpo/checkpoints/step-00000003/adapter/adapter_model.safetensors"))
                .get(LoraAdapter.key("model.layers.0.self_attn.q_proj", "B"))).isNotEqualTo(new float[
                        tensors(adapter.resolve(PeftAdapterFiles.WEIGHTS)).get(LoraAdapter.key(
                                "model.layers.0.self_attn.q_proj", "B")).length]);
    }

    @Test
    @DisplayName("learns: held-out preference accuracy rises while only the adapter trains")
    void learns(@TempDir Path dir) throws Exception {
        TrainJob.Summary s = TrainJobTest.run(config(dir.resolve("run"), "lora.r=8", "lora.alpha=16",
                "lora.dropout=0.05", "max_steps=30", "eval_every=30", "checkpoint_every=30"), false);
        double start = s.firstEvaluation().get("eval/rewards/accuracies");
        double end = s.lastEvaluation().get("eval/rewards/accuracies");
        assertThat(end).as("held-out accuracy %s → %s", start, end).isGreaterThan(start + 0.1);
    }

    @Test
    @DisplayName("a target_modules that matches nothing stops the run with one line naming the field")
    void badTargets(@TempDir Path dir) {
        assertThatThrownBy(() -> TrainJobTest.run(config(dir.resolve("bad"), "lora.target_modules=c_attn"),
                false)).isInstanceOf(DpoException.class).hasMessageStartingWith("lora.target_modules")
                .hasMessageContaining("matches no linear layer");
    }
}
