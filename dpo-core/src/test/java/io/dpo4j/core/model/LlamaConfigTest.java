package io.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.model.safetensors.TensorDtype;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Model configuration")
class LlamaConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode llama() {
        ObjectNode json = JSON.createObjectNode();
        json.put("model_type", "llama");
        json.put("vocab_size", 100);
        json.put("hidden_size", 64);
        json.put("intermediate_size", 128);
        json.put("num_hidden_layers", 2);
        json.put("num_attention_heads", 8);
        return json;
    }

    private static LlamaConfig parse(ObjectNode json) {
        return LlamaConfig.fromJson(json, "config.json");
    }

    @Nested
    @DisplayName("reading")
    class Reading {

        @Test
        @DisplayName("the fixture's config.json gives its values")
        void readsFixture() {
            LlamaConfig c = LlamaConfig.read(ModelFixtures.tinyLlama().resolve("config.json"));
            assertThat(c.family()).isEqualTo(ModelFamily.LLAMA);
            assertThat(c.vocabSize()).isEqualTo(57);
            assertThat(c.numKeyValueHeads()).isEqualTo(2);
            assertThat(c.headDim()).isEqualTo(8);
            assertThat(c.rmsNormEps()).isEqualTo(1e-6);
            assertThat(c.eosTokenIds()).containsExactly(1);
            assertThat(c.padTokenIds()).containsExactly(0);
            assertThat(c.bosTokenIds()).isEmpty();
            assertThat(c.tieWordEmbeddings()).isFalse();
            assertThat(c.qkvBias()).isFalse();
        }

        @Test
        @DisplayName("absent fields take Hugging Face's defaults")
        void defaults() {
            LlamaConfig c = parse(llama());
            assertThat(c.numKeyValueHeads()).isEqualTo(8);
            assertThat(c.headDim()).isEqualTo(8);
            assertThat(c.ropeTheta()).isEqualTo(10000.0);
            assertThat(c.ropeScaling()).isEqualTo(RopeScaling.NONE);
            assertThat(c.storageDtype()).isEqualTo(TensorDtype.F32);
        }

        @Test
        @DisplayName("qwen2 always has a q/k/v bias and never an output or MLP bias")
        void qwen2Bias() {
            ObjectNode json = llama().put("model_type", "qwen2").put("tie_word_embeddings", true);
            LlamaConfig c = parse(json);
            assertThat(c.qkvBias()).isTrue();
            assertThat(c.outputBias()).isFalse();
            assertThat(c.mlpBias()).isFalse();
            assertThat(c.parameterSpecs()).extracting(ParameterSpec::name)
                    .contains("model.layers.0.self_attn.k_proj.bias")
                    .doesNotContain("model.layers.0.self_attn.o_proj.bias", "lm_head.weight");
        }

        @Test
        @DisplayName("llama's attention_bias adds biases to q, k, v and o; mlp_bias to the MLP")
        void llamaBias() {
            LlamaConfig c = parse(llama().put("attention_bias", true).put("mlp_bias", true));
            assertThat(c.parameterSpecs()).extracting(ParameterSpec::name).contains(
                    "model.layers.1.self_attn.o_proj.bias", "model.layers.1.self_attn.q_proj.bias",
                    "model.layers.1.mlp.down_proj.bias");
        }

        @Test
        @DisplayName("rope_theta and scaling are also read from the newer rope_parameters field")
        void ropeParameters() {
            ObjectNode json = llama();
            json.putObject("rope_parameters").put("rope_type", "llama3").put("rope_theta", 500000.0)
                    .put("factor", 32.0).put("low_freq_factor", 1.0).put("high_freq_factor", 4.0)
                    .put("original_max_position_embeddings", 8192);
            LlamaConfig c = parse(json);
            assertThat(c.ropeTheta()).isEqualTo(500000.0);
            assertThat(c.ropeScaling()).isEqualTo(RopeScaling.llama3(32, 1, 4, 8192));
        }

        @Test
        @DisplayName("eos_token_id may be a list; torch_dtype sets the storage type")
        void listsAndDtype() {
            ObjectNode json = llama().put("torch_dtype", "bfloat16");
            json.putArray("eos_token_id").add(5).add(7);
            LlamaConfig c = parse(json);
            assertThat(c.eosTokenIds()).containsExactly(5, 7);
            assertThat(c.storageDtype()).isEqualTo(TensorDtype.BF16);
        }

        @Test
        @DisplayName("a configuration written as JSON reads back equal")
        void jsonRoundTrip() {
            LlamaConfig c = LlamaConfig.builder().family(ModelFamily.QWEN2).headDim(12).numKeyValueHeads(2)
                    .ropeTheta(1e6).ropeScaling(RopeScaling.linear(4)).tieWordEmbeddings(true)
                    .tokenIds(3, List.of(1, 2), 0).storageDtype(TensorDtype.BF16).build();
            assertThat(LlamaConfig.fromJson(c.toJson(), "x")).isEqualTo(c);
        }
    }

    @Nested
    @DisplayName("unsupported values are refused, naming the field and value")
    class Refusals {

        @ParameterizedTest(name = "{0} = {1}")
        @CsvSource(delimiter = '|', value = {
            "model_type|\"mistral\"|model_type = \"mistral\" is not supported",
            "hidden_act|\"gelu\"|hidden_act = \"gelu\" is not supported",
            "attention_dropout|0.1|attention_dropout = 0.1 is not supported",
            "rope_scaling|{\"type\": \"dynamic\", \"factor\": 2.0}|type \"dynamic\" is not supported",
            "rope_scaling|{\"rope_type\": \"yarn\", \"factor\": 4.0}|type \"yarn\" is not supported",
            "rope_scaling|\"linear\"|rope_scaling = \"linear\": expected an object or null",
            "num_key_value_heads|3|num_key_value_heads = 3 does not divide num_attention_heads = 8",
            "head_dim|7|head_dim = 7",
            "hidden_size|-4|hidden_size = -4: expected a positive integer",
            "quantization_config|{\"quant_method\": \"gptq\"}|quantised checkpoints are not supported",
            "layer_types|[\"sliding_attention\", \"full_attention\"]|layer_types contains \"sliding_attention\"",
            "tie_word_embeddings|\"yes\"|tie_word_embeddings = \"yes\": expected true or false"})
        void refuses(String field, String value, String message) throws Exception {
            ObjectNode json = llama();
            json.set(field, JSON.readTree(value));
            assertThatThrownBy(() -> parse(json)).isInstanceOf(DpoException.class)
                    .hasMessageStartingWith("config.json: ").hasMessageContaining(message);
        }

        @Test
        @DisplayName("a missing required field")
        void missingField() {
            ObjectNode json = llama();
            json.remove("intermediate_size");
            assertThatThrownBy(() -> parse(json)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("field intermediate_size is missing");
        }

        @Test
        @DisplayName("qwen2 with sliding-window attention")
        void slidingWindow() {
            ObjectNode json = llama().put("model_type", "qwen2").put("use_sliding_window", true);
            assertThatThrownBy(() -> parse(json)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("use_sliding_window = true is not supported");
        }

        @Test
        @DisplayName("a missing model_type lists the supported ones")
        void missingModelType() {
            ObjectNode json = llama();
            json.remove("model_type");
            assertThatThrownBy(() -> parse(json)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("model_type is missing (supported: llama, qwen2)");
        }
    }

    @Test
    @DisplayName("llama3 rope scaling keeps high frequencies, divides low ones and blends between")
    void llama3Frequencies() {
        RopeScaling s = RopeScaling.llama3(8, 1, 4, 8192);
        float[] plain = RopeScaling.NONE.inverseFrequencies(128, 500000);
        float[] scaled = s.inverseFrequencies(128, 500000);
        assertThat(scaled[0]).isEqualTo(plain[0]);
        assertThat(scaled[63]).isEqualTo(plain[63] / 8f);
        int blended = 0;
        for (int i = 0; i < 64; i++) {
            double wavelength = 2 * Math.PI / plain[i];
            if (wavelength >= 2048 && wavelength <= 8192) {
                assertThat(scaled[i]).isBetween(plain[i] / 8f, plain[i]);
                blended++;
            }
        }
        assertThat(blended).isPositive();
    }
}
