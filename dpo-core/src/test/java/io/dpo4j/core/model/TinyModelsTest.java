package io.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Tiny random models")
class TinyModelsTest {

    private static final LlamaConfig CONFIG = LlamaConfig.builder().family(ModelFamily.QWEN2).vocabSize(200)
            .hiddenSize(32).intermediateSize(64).numLayers(2).numHeads(4).numKeyValueHeads(2).build();

    @Test
    @DisplayName("the same seed gives the same parameters, another seed different ones")
    void deterministicForSeed() {
        Map<String, float[]> a;
        Map<String, float[]> b;
        Map<String, float[]> c;
        try (LlamaModel m = TinyModels.randomInit(CONFIG, 42)) {
            a = ModelFixtures.values(m);
        }
        try (LlamaModel m = TinyModels.randomInit(CONFIG, 42)) {
            b = ModelFixtures.values(m);
        }
        try (LlamaModel m = TinyModels.randomInit(CONFIG, 43)) {
            c = ModelFixtures.values(m);
        }
        a.forEach((name, values) -> assertThat(b.get(name)).as(name).containsExactly(values));
        assertThat(c.get("model.embed_tokens.weight")).isNotEqualTo(a.get("model.embed_tokens.weight"));
    }

    @Test
    @DisplayName("matrices are normal(0, 0.02), norm scales are one, biases are zero, names are Hugging Face's")
    void llamaInitialisation() {
        try (LlamaModel m = TinyModels.randomInit(CONFIG, 1)) {
            assertThat(m.parameters().keySet()).containsExactlyElementsOf(
                    CONFIG.parameterSpecs().stream().map(ParameterSpec::name).toList());
            float[] embedding = m.parameter("model.embed_tokens.weight").toFloatArray();
            double mean = 0;
            double square = 0;
            for (float v : embedding) {
                mean += v;
                square += v * v;
            }
            mean /= embedding.length;
            double std = Math.sqrt(square / embedding.length - mean * mean);
            assertThat(mean).isCloseTo(0, within(0.002));
            assertThat(std).isCloseTo(0.02, within(0.001));
            assertThat(m.parameter("model.layers.0.input_layernorm.weight").toFloatArray()).containsOnly(1f);
            assertThat(m.parameter("model.norm.weight").toFloatArray()).containsOnly(1f);
            assertThat(m.parameter("model.layers.1.self_attn.v_proj.bias").toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    @DisplayName("the embedded default configuration is a small tied Llama with grouped-query attention")
    void defaultConfiguration() {
        LlamaConfig c = TinyModels.defaultConfig(57, 1, 0);
        assertThat(c.family()).isEqualTo(ModelFamily.LLAMA);
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.groupSize()).isEqualTo(2);
        assertThat(c.eosTokenIds()).containsExactly(1);
        assertThat(c.parameterCount()).isLessThan(200_000);
    }
}
