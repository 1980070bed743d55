package io.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.model.safetensors.HalfPrecision;
import io.dpo4j.core.model.safetensors.SafetensorsFile;
import io.dpo4j.core.model.safetensors.SafetensorsWriter;
import io.dpo4j.core.model.safetensors.TensorDtype;
import io.dpo4j.core.model.safetensors.TensorEntry;
import io.dpo4j.core.model.safetensors.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Hugging Face checkpoints")
class HuggingFaceCheckpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static LlamaConfig smallConfig(boolean tied) {
        return LlamaConfig.builder().vocabSize(20).hiddenSize(16).intermediateSize(24).numLayers(2).numHeads(4)
                .numKeyValueHeads(2).tieWordEmbeddings(tied).build();
    }

    private static void assertBitIdentical(Map<String, float[]> expected, LlamaModel model) {
        assertThat(model.parameters().keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((name, values) -> {
            float[] actual = model.parameter(name).toFloatArray();
            int[] expectedBits = new int[values.length];
            int[] actualBits = new int[actual.length];
            for (int i = 0; i < values.length; i++) {
                expectedBits[i] = Float.floatToRawIntBits(values[i]);
                actualBits[i] = Float.floatToRawIntBits(actual[i]);
            }
            assertThat(actualBits).as(name).containsExactly(expectedBits);
        });
    }

    @Nested
    @DisplayName("loading")
    class Loading {

        @Test
        @DisplayName("the fixture loads with every tensor equal to the file's values")
        void loadsFixture() {
            Path fixture = ModelFixtures.tinyLlama();
            try (LlamaModel model = HuggingFaceCheckpoint.load(fixture);
                    SafetensorsFile file = SafetensorsFile.open(fixture.resolve("model.safetensors"))) {
                assertThat(model.config().family()).isEqualTo(ModelFamily.LLAMA);
                assertThat(model.config().storageDtype()).isEqualTo(TensorDtype.F32);
                assertThat(model.parameters()).hasSize(file.tensors().size());
                for (TensorEntry entry : file.tensors().values()) {
                    assertThat(model.parameter(entry.name()).toFloatArray()).as(entry.name())
                            .containsExactly(file.readAsFloat32(entry));
                }
                assertThat(model.lmHeadWeight()).isSameAs(model.parameter("lm_head.weight"));
            }
        }

        @Test
        @DisplayName("a tensor larger than a load block is assembled from blocks of rows")
        void loadsInBlocks() {
            try (SafetensorsFile file = SafetensorsFile.open(ModelFixtures.tinyLlama().resolve("model.safetensors"));
                    NDManager manager = NDManager.newBaseManager()) {
                TensorEntry embedding = file.tensors().get("model.embed_tokens.weight");
                NDArray array = HuggingFaceCheckpoint.readFloat32(manager, file, embedding, 100);
                assertThat(array.getShape()).isEqualTo(new Shape(57, 32));
                assertThat(array.toFloatArray()).containsExactly(file.readAsFloat32(embedding));
                assertThat(manager.getManagedArrays()).as("the blocks are freed").hasSize(1);
            }
        }

        @Test
        @DisplayName("a missing tensor is refused with its name and expected shape")
        void missingTensor() throws IOException {
            Path folder = rewriteFixture(entries -> entries.removeIf(e -> e.name().equals("model.layers.1.mlp.up_proj.weight")));
            assertThatThrownBy(() -> HuggingFaceCheckpoint.load(folder)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("model.layers.1.mlp.up_proj.weight").hasMessageContaining("(64, 32)")
                    .hasMessageContaining("missing");
        }

        @Test
        @DisplayName("a tensor of the wrong shape is refused with its name, the expected and the found shape")
        void wrongShape() throws IOException {
            Path folder = rewriteFixture(entries -> entries.replaceAll(e -> e.name().equals("model.norm.weight")
                    ? new FixedSource(e.name(), TensorDtype.F32, new Shape(31), new float[31]) : e));
            assertThatThrownBy(() -> HuggingFaceCheckpoint.load(folder)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("model.norm.weight").hasMessageContaining("expected shape (32)")
                    .hasMessageContaining("found (31)");
        }

        @Test
        @DisplayName("a tensor the configuration does not call for is refused rather than ignored")
        void unexpectedTensor() throws IOException {
            Path folder = rewriteFixture(entries -> entries.add(new FixedSource("model.layers.0.self_attn.q_proj.bias",
                    TensorDtype.F32, new Shape(32), new float[32])));
            assertThatThrownBy(() -> HuggingFaceCheckpoint.load(folder)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("model.layers.0.self_attn.q_proj.bias")
                    .hasMessageContaining("does not call for");
        }

        @Test
        @DisplayName("a missing folder, config or weights file is named in the error")
        void missingFiles() throws IOException {
            assertThatThrownBy(() -> HuggingFaceCheckpoint.load(dir.resolve("nowhere")))
                    .isInstanceOf(DpoException.class).hasMessageContaining("nowhere").hasMessageContaining("not found");
            Path empty = Files.createDirectory(dir.resolve("empty"));
            assertThatThrownBy(() -> HuggingFaceCheckpoint.load(empty)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("config.json").hasMessageContaining("not found");
            Files.copy(ModelFixtures.tinyLlama().resolve("config.json"), empty.resolve("config.json"));
            assertThatThrownBy(() -> HuggingFaceCheckpoint.load(empty)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("no model.safetensors or model.safetensors.index.json");
        }

        @Test
        @DisplayName("a corrupt weights file is refused with the file name")
        void corruptWeights() throws IOException {
            Path folder = Files.createDirectory(dir.resolve("corrupt"));
            Files.copy(ModelFixtures.tinyLlama().resolve("config.json"), folder.resolve("config.json"));
            Files.write(folder.resolve("model.safetensors"), new byte[] {(byte) 0xFF, 0, 0, 0, 0, 0, 0, 0, '{'});
            assertThatThrownBy(() -> HuggingFaceCheckpoint.load(folder)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("model.safetensors").hasMessageContaining("not a valid safetensors file");
        }

        /** Copies the fixture, editing its tensor list. */
        private Path rewriteFixture(java.util.function.Consumer<List<TensorSource>> edit) throws IOException {
            Path fixture = ModelFixtures.tinyLlama();
            Path folder = Files.createDirectory(dir.resolve("edited"));
            Files.copy(fixture.resolve("config.json"), folder.resolve("config.json"));
            List<TensorSource> entries = new ArrayList<>();
            try (SafetensorsFile file = SafetensorsFile.open(fixture.resolve("model.safetensors"))) {
                for (TensorEntry e : file.tensors().values()) {
                    entries.add(new FixedSource(e.name(), TensorDtype.F32, e.shape(), file.readAsFloat32(e)));
                }
            }
            edit.accept(entries);
            SafetensorsWriter.write(folder.resolve("model.safetensors"), entries, Map.of("format", "pt"));
            return folder;
        }
    }

    @Nested
    @DisplayName("saving")
    class Saving {

        @Test
        @DisplayName("float32: save then load is bit-identical, config and tokenizer files come along")
        void float32RoundTrip() throws IOException {
            Path target = dir.resolve("saved");
            Map<String, float[]> original;
            try (LlamaModel model = HuggingFaceCheckpoint.load(ModelFixtures.tinyLlama())) {
                original = ModelFixtures.values(model);
                int arraysBefore = model.manager().getManagedArrays().size();
                HuggingFaceCheckpoint.save(model, target);
                assertThat(model.manager().getManagedArrays()).as("saving adds nothing to the model's manager")
                        .hasSize(arraysBefore);
            }
            assertThat(target.resolve("tokenizer.json")).hasSameBinaryContentAs(
                    ModelFixtures.tinyLlama().resolve("tokenizer.json"));
            assertThat(target.resolve("tokenizer_config.json")).exists();
            JsonNode config = JSON.readTree(target.resolve("config.json").toFile());
            assertThat(config.get("model_type").asText()).isEqualTo("llama");
            assertThat(config.get("max_position_embeddings").asInt()).isEqualTo(128);
            assertThat(config.get("torch_dtype").asText()).isEqualTo("float32");
            try (SafetensorsFile file = SafetensorsFile.open(target.resolve("model.safetensors"))) {
                assertThat(file.metadata()).containsEntry("format", "pt");
            }
            try (LlamaModel reloaded = HuggingFaceCheckpoint.load(target)) {
                assertBitIdentical(original, reloaded);
            }
        }

        @Test
        @DisplayName("bfloat16: values narrow once, then save and load round-trip bit-identically")
        void bfloat16RoundTrip() throws IOException {
            Path first = dir.resolve("bf16-a");
            Path second = dir.resolve("bf16-b");
            Map<String, float[]> original;
            try (LlamaModel model = TinyModels.randomInit(smallConfig(true), 3)) {
                ModelFixtures.randomize(model, 4);
                original = ModelFixtures.values(model);
                HuggingFaceCheckpoint.save(model, first, SaveOptions.defaults().withDtype(TensorDtype.BF16));
            }
            Map<String, float[]> narrowed;
            try (LlamaModel loaded = HuggingFaceCheckpoint.load(first)) {
                assertThat(loaded.config().storageDtype()).isEqualTo(TensorDtype.BF16);
                narrowed = ModelFixtures.values(loaded);
                original.forEach((name, values) -> {
                    float[] expected = new float[values.length];
                    for (int i = 0; i < values.length; i++) {
                        expected[i] = HalfPrecision.bfloat16ToFloat(HalfPrecision.floatToBfloat16(values[i]));
                    }
                    assertThat(narrowed.get(name)).as(name).containsExactly(expected);
                });
                HuggingFaceCheckpoint.save(loaded, second);
            }
            assertThat(JSON.readTree(second.resolve("config.json").toFile()).get("torch_dtype").asText())
                    .isEqualTo("bfloat16");
            assertThat(second.resolve("model.safetensors")).hasSameBinaryContentAs(first.resolve("model.safetensors"));
            try (LlamaModel reloaded = HuggingFaceCheckpoint.load(second)) {
                assertBitIdentical(narrowed, reloaded);
            }
        }

        @Test
        @DisplayName("float16 checkpoints save and load")
        void float16RoundTrip() {
            Path target = dir.resolve("f16");
            Map<String, float[]> original;
            try (LlamaModel model = TinyModels.randomInit(smallConfig(false), 3)) {
                original = ModelFixtures.values(model);
                HuggingFaceCheckpoint.save(model, target, SaveOptions.defaults().withDtype(TensorDtype.F16));
            }
            try (LlamaModel loaded = HuggingFaceCheckpoint.load(target)) {
                assertThat(loaded.config().storageDtype()).isEqualTo(TensorDtype.F16);
                float[] expected = original.get("lm_head.weight").clone();
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(expected[i]));
                }
                assertThat(loaded.parameter("lm_head.weight").toFloatArray()).containsExactly(expected);
            }
        }

        @Test
        @DisplayName("above the shard size, weights are split into numbered shards with an index, and load back")
        void shardsLargeModels() throws IOException {
            Path target = dir.resolve("sharded");
            Map<String, float[]> original;
            try (LlamaModel model = HuggingFaceCheckpoint.load(ModelFixtures.tinyLlama())) {
                original = ModelFixtures.values(model);
                HuggingFaceCheckpoint.save(model, target, SaveOptions.defaults().withMaxShardBytes(30_000));
            }
            List<String> shards;
            try (Stream<Path> files = Files.list(target)) {
                shards = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors")).sorted()
                        .toList();
            }
            assertThat(shards).hasSizeGreaterThan(1).allMatch(n -> n.matches("model-\\d{5}-of-\\d{5}\\.safetensors"));
            assertThat(target.resolve("model.safetensors")).doesNotExist();
            JsonNode index = JSON.readTree(target.resolve("model.safetensors.index.json").toFile());
            assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(88960);
            assertThat(index.get("weight_map").size()).isEqualTo(original.size());
            try (LlamaModel reloaded = HuggingFaceCheckpoint.load(target)) {
                assertBitIdentical(original, reloaded);
            }
        }

        @Test
        @DisplayName("tied embeddings are saved once, without lm_head.weight")
        void tiedEmbeddingsSavedOnce() {
            Path target = dir.resolve("tied");
            try (LlamaModel model = TinyModels.randomInit(smallConfig(true), 1)) {
                assertThat(model.lmHeadWeight()).isSameAs(model.parameter("model.embed_tokens.weight"));
                HuggingFaceCheckpoint.save(model, target);
            }
            try (SafetensorsFile file = SafetensorsFile.open(target.resolve("model.safetensors"))) {
                assertThat(file.tensors()).containsKey("model.embed_tokens.weight").doesNotContainKey("lm_head.weight");
            }
        }

        @Test
        @DisplayName("saving over an existing folder replaces it whole and leaves no temporary files")
        void replacesAtomically() throws IOException {
            Path target = dir.resolve("model");
            Files.createDirectories(target);
            Files.writeString(target.resolve("stale.txt"), "old");
            try (LlamaModel model = TinyModels.randomInit(smallConfig(false), 1)) {
                HuggingFaceCheckpoint.save(model, target);
            }
            assertThat(target.resolve("stale.txt")).doesNotExist();
            assertThat(target.resolve("model.safetensors")).exists();
            try (Stream<Path> siblings = Files.list(dir)) {
                assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("model");
            }
        }
    }

    /** A tensor with fixed values. */
    private record FixedSource(String name, TensorDtype dtype, Shape shape, float[] values) implements TensorSource {
        @Override
        public float[] readRows(long firstRow, int rowCount) {
            int from = (int) (firstRow * rowSize());
            return Arrays.copyOfRange(values, from, from + (int) (rowCount * rowSize()));
        }
    }
}
