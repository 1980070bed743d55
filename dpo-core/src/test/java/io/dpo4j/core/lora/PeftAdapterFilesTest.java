package io.dpo4j.core.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.safetensors.HalfPrecision;
import io.dpo4j.core.model.safetensors.SafetensorsFile;
import io.dpo4j.core.model.safetensors.SafetensorsWriter;
import io.dpo4j.core.model.safetensors.TensorDtype;
import io.dpo4j.core.model.safetensors.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("PEFT adapter files")
class PeftAdapterFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** adapter_config.json as PEFT 0.13 writes it for LoraConfig(r=2, lora_alpha=3, target_modules=[v_proj, up_proj]). */
    private static final String PEFT_CONFIG = """
            {
              "alpha_pattern": {},
              "auto_mapping": null,
              "base_model_name_or_path": "HuggingFaceTB/SmolLM2-135M",
              "bias": "none",
              "fan_in_fan_out": false,
              "inference_mode": true,
              "init_lora_weights": true,
              "layer_replication": null,
              "layers_pattern": null,
              "layers_to_transform": null,
              "loftq_config": {},
              "lora_alpha": 3,
              "lora_dropout": 0.05,
              "megatron_config": null,
              "megatron_core": "megatron.core",
              "modules_to_save": null,
              "peft_type": "LORA",
              "r": 2,
              "rank_pattern": {},
              "revision": null,
              "target_modules": [
                "up_proj",
                "v_proj"
              ],
              "task_type": "CAUSAL_LM",
              "use_dora": false,
              "use_rslora": false
            }
            """;

    @TempDir
    Path dir;

    /** A tensor written from given values in a given storage type. */
    private record Values(String name, Shape shape, float[] values, TensorDtype dtype) implements TensorSource {
        @Override
        public float[] readRows(long firstRow, int rowCount) {
            int row = (int) rowSize();
            float[] out = new float[rowCount * row];
            System.arraycopy(values, (int) firstRow * row, out, 0, out.length);
            return out;
        }
    }

    @Test
    @DisplayName("a hand-built PEFT adapter (PEFT's key names and config, BF16 B) loads and computes W + (α/r)·B·A")
    void handBuiltAdapterLoads() throws Exception {
        Path adapterDir = Files.createDirectories(dir.resolve("peft"));
        Files.writeString(adapterDir.resolve(PeftAdapterFiles.CONFIG), PEFT_CONFIG);
        SplittableRandom random = new SplittableRandom(3);
        List<TensorSource> tensors = new ArrayList<>();
        Map<String, float[]> expectedA = new java.util.LinkedHashMap<>();
        Map<String, float[]> expectedB = new java.util.LinkedHashMap<>();
        // v_proj: 3 kv heads × 6 = 18 out, 24 in; up_proj: 40 out, 24 in
        for (int layer = 0; layer < 2; layer++) {
            for (String[] m : new String[][] {{"self_attn.v_proj", "18"}, {"mlp.up_proj", "40"}}) {
                String module = "model.layers." + layer + "." + m[0];
                int out = Integer.parseInt(m[1]);
                float[] a = new float[2 * 24];
                float[] b = new float[out * 2];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (0.2 * random.nextGaussian());
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = HalfPrecision.bfloat16ToFloat(HalfPrecision.floatToBfloat16((float) (0.2 * random.nextGaussian())));
                }
                tensors.add(new Values("base_model.model." + module + ".lora_A.weight", new Shape(2, 24), a, TensorDtype.F32));
                tensors.add(new Values("base_model.model." + module + ".lora_B.weight", new Shape(out, 2), b,
                        TensorDtype.BF16));
                expectedA.put(module, a);
                expectedB.put(module, b);
            }
        }
        SafetensorsWriter.write(adapterDir.resolve(PeftAdapterFiles.WEIGHTS), tensors, Map.of("format", "pt"));

        try (LlamaModel model = LoraFixtures.model(21); LlamaModel manual = LoraFixtures.model(21)) {
            LoraAdapter adapter = PeftAdapterFiles.load(adapterDir, model);
            assertThat(adapter.settings().r()).isEqualTo(2);
            assertThat(adapter.settings().alpha()).isEqualTo(3);
            assertThat(adapter.settings().dropout()).isEqualTo(0.05);
            assertThat(adapter.settings().scale()).isEqualTo(1.5);
            assertThat(adapter.modules()).containsExactly("model.layers.0.self_attn.v_proj", "model.layers.0.mlp.up_proj",
                    "model.layers.1.self_attn.v_proj", "model.layers.1.mlp.up_proj");
            for (String module : adapter.modules()) {
                assertThat(adapter.a(module).toFloatArray()).containsExactly(expectedA.get(module));
                assertThat(adapter.b(module).toFloatArray()).containsExactly(expectedB.get(module));
                // the reference semantics, computed here in Java: W' = W + 1.5 · B·A
                Shape s = manual.parameter(module + ".weight").getShape();
                int out = (int) s.get(0);
                float[] w = manual.parameter(module + ".weight").toFloatArray();
                for (int i = 0; i < out; i++) {
                    for (int j = 0; j < 24; j++) {
                        double ba = 0;
                        for (int k = 0; k < 2; k++) {
                            ba += (double) expectedB.get(module)[i * 2 + k] * expectedA.get(module)[k * 24 + j];
                        }
                        w[i * 24 + j] += (float) (1.5 * ba);
                    }
                }
                manual.parameter(module + ".weight").set(w);
            }
            model.attachAdapter(adapter);
            float[] adapted = LoraFixtures.logProbs(model);
            float[] expected = LoraFixtures.logProbs(manual);
            for (int i = 0; i < adapted.length; i++) {
                assertThat(adapted[i]).isCloseTo(expected[i], within(1e-5f));
            }
        }
    }

    @Test
    @DisplayName("what is written has PEFT's config fields and key names, shapes [r, in] and [out, r]")
    void writtenLayout() throws Exception {
        try (LlamaModel model = LoraFixtures.model(22)) {
            LoraAdapter adapter = LoraAdapter.create(model, new LoraSettings(3, 16, 0.1,
                    TargetModules.of(List.of("q_proj", "down_proj")), true), 1);
            PeftAdapterFiles.save(adapter, dir.resolve("out"), "some/base");
        }
        JsonNode c = JSON.readTree(Files.readString(dir.resolve("out").resolve(PeftAdapterFiles.CONFIG)));
        assertThat(c.get("peft_type").asText()).isEqualTo("LORA");
        assertThat(c.get("task_type").asText()).isEqualTo("CAUSAL_LM");
        assertThat(c.get("base_model_name_or_path").asText()).isEqualTo("some/base");
        assertThat(c.get("r").asInt()).isEqualTo(3);
        assertThat(c.get("lora_alpha").isIntegralNumber()).isTrue();
        assertThat(c.get("lora_alpha").asInt()).isEqualTo(16);
        assertThat(c.get("lora_dropout").asDouble()).isEqualTo(0.1);
        assertThat(c.get("bias").asText()).isEqualTo("none");
        assertThat(c.get("use_rslora").asBoolean()).isTrue();
        assertThat(c.get("fan_in_fan_out").asBoolean()).isFalse();
        assertThat(c.get("modules_to_save").isNull()).isTrue();
        assertThat(c.get("target_modules").toString()).isEqualTo("[\"q_proj\",\"down_proj\"]");
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("out").resolve(PeftAdapterFiles.WEIGHTS))) {
            assertThat(f.tensors().get("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight").shape())
                    .isEqualTo(new Shape(3, 24));
            assertThat(f.tensors().get("base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight").shape())
                    .isEqualTo(new Shape(36, 3));
            assertThat(f.tensors().get("base_model.model.model.layers.0.mlp.down_proj.lora_A.weight").shape())
                    .isEqualTo(new Shape(3, 40));
            assertThat(f.tensors()).hasSize(8);
            assertThat(f.metadata()).containsEntry("format", "pt");
        }
    }

    @Test
    @DisplayName("features not implemented here, and bad values, are refused naming the file, the field and the value")
    void refusals() throws Exception {
        String[][] cases = {
            {"\"use_dora\": false", "\"use_dora\": true", "use_dora = true"},
            {"\"bias\": \"none\"", "\"bias\": \"all\"", "bias = \"all\""},
            {"\"peft_type\": \"LORA\"", "\"peft_type\": \"IA3\"", "peft_type = \"IA3\""},
            {"\"r\": 2", "\"r\": 0", "r = 0"},
            {"\"lora_dropout\": 0.05", "\"lora_dropout\": 1.5", "lora_dropout = 1.5"},
            {"\"modules_to_save\": null", "\"modules_to_save\": [\"lm_head\"]", "modules_to_save = [\"lm_head\"]"},
            {"\"rank_pattern\": {}", "\"rank_pattern\": {\"q_proj\": 4}", "rank_pattern ="},
            {"\"task_type\": \"CAUSAL_LM\"", "\"task_type\": \"SEQ_CLS\"", "task_type = \"SEQ_CLS\""},
        };
        for (String[] c : cases) {
            Path folder = Files.createDirectories(dir.resolve("bad" + Math.abs(c[1].hashCode())));
            Path file = folder.resolve(PeftAdapterFiles.CONFIG);
            Files.writeString(file, PEFT_CONFIG.replace(c[0], c[1]));
            assertThatThrownBy(() -> PeftAdapterFiles.readSettings(folder)).as(c[1]).isInstanceOf(DpoException.class)
                    .hasMessageStartingWith(file.toString()).hasMessageContaining(c[2]);
        }
        Path folder = Files.createDirectories(dir.resolve("noweights"));
        Files.writeString(folder.resolve(PeftAdapterFiles.CONFIG), PEFT_CONFIG);
        try (LlamaModel model = LoraFixtures.model(23)) {
            assertThatThrownBy(() -> PeftAdapterFiles.load(folder, model)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("adapter_model.safetensors not found");
            // the right keys with the wrong rank
            try (LlamaModel other = LoraFixtures.model(23)) {
                LoraAdapter adapter = LoraAdapter.create(other, new LoraSettings(5, 3, 0,
                        TargetModules.of(List.of("up_proj", "v_proj")), false), 1);
                PeftAdapterFiles.save(adapter, dir.resolve("rank5"), null);
            }
            Files.writeString(dir.resolve("rank5").resolve(PeftAdapterFiles.CONFIG), PEFT_CONFIG);
            assertThatThrownBy(() -> PeftAdapterFiles.load(dir.resolve("rank5"), model))
                    .isInstanceOf(DpoException.class).hasMessageContaining("not rank r = 2");
        }
    }
}
