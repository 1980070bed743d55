package io.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ModelFootprint: parameters from config.json alone, checked against the memory available")
class ModelFootprintTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("the parameter count equals the sum of every parameter's size, for biases, GQA and tied embeddings")
    void countMatchesSpecs() {
        for (LlamaConfig c : new LlamaConfig[] {LlamaConfig.builder().build(),
                LlamaConfig.builder().family(ModelFamily.QWEN2).build(),
                LlamaConfig.builder().tieWordEmbeddings(true).numKeyValueHeads(1).build(),
                LlamaConfig.builder().attentionBias(true).mlpBias(true).build()}) {
            long specs = c.parameterSpecs().stream().mapToLong(s -> s.shape().size()).sum();
            assertThat(ModelFootprint.parameterCount(c)).as(c.toString()).isEqualTo(specs);
        }
    }

    @Test
    @DisplayName("num_hidden_layers: 10000000 is refused by LlamaConfig.read in milliseconds, naming the file and the numbers")
    void hugeModelRefused() throws Exception {
        Path config = Files.writeString(dir.resolve("config.json"), """
                {"model_type": "llama", "vocab_size": 57, "hidden_size": 32, "intermediate_size": 64,
                 "num_hidden_layers": 10000000, "num_attention_heads": 4}
                """);
        System.setProperty(ModelFootprint.AVAILABLE_PROPERTY, String.valueOf(8L << 30));
        try {
            assertThatThrownBy(() -> LlamaConfig.read(config)).isInstanceOf(DpoException.class)
                    .hasMessageContaining(config + ": the model has 103,040,003,680 parameters")
                    .hasMessageContaining("383.9 GiB as float32 weights, more than the 8 GiB of memory available");
            System.setProperty(ModelFootprint.AVAILABLE_PROPERTY, "0"); // the check off
            assertThat(LlamaConfig.read(config).numLayers()).isEqualTo(10_000_000);
        } finally {
            System.clearProperty(ModelFootprint.AVAILABLE_PROPERTY);
        }
    }

    @Test
    @DisplayName("the memory available is known on this machine and positive")
    void available() {
        assertThat(ModelFootprint.availableBytes()).isPresent();
        assertThat(ModelFootprint.availableBytes().getAsLong()).isPositive();
    }
}
