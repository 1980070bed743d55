package io.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("The decoder agrees with an independent double-precision reference")
class LlamaReferenceTest {

    @TempDir
    Path dir;

    static Stream<Arguments> configurations() {
        return Stream.of(
                Arguments.of("qwen2: q/k/v bias, tied embeddings, GQA 4:2, rope_theta 1e6, head_dim 12 (not d/heads)",
                        LlamaConfig.builder().family(ModelFamily.QWEN2).vocabSize(50).hiddenSize(32)
                                .intermediateSize(48).numLayers(2).numHeads(4).numKeyValueHeads(2).headDim(12)
                                .ropeTheta(1_000_000).tieWordEmbeddings(true).rmsNormEps(1e-5).build()),
                Arguments.of("llama: attention and MLP bias, tied, GQA 6:2, head_dim 10, theta 5e5, llama3 rope scaling",
                        LlamaConfig.builder().vocabSize(40).hiddenSize(24).intermediateSize(40).numLayers(2)
                                .numHeads(6).numKeyValueHeads(2).headDim(10).ropeTheta(500_000)
                                .ropeScaling(RopeScaling.llama3(8, 1, 4, 16)).attentionBias(true).mlpBias(true)
                                .tieWordEmbeddings(true).build()),
                Arguments.of("llama: no bias, separate lm_head, multi-head (kv = heads), linear rope scaling",
                        LlamaConfig.builder().vocabSize(30).hiddenSize(16).intermediateSize(24).numLayers(3)
                                .numHeads(2).ropeScaling(RopeScaling.linear(2)).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    @DisplayName("logits of a right-padded batch, after a save and reload, match the reference to 1e-4")
    void matchesReference(String description, LlamaConfig config) {
        Map<String, float[]> weights;
        try (LlamaModel random = TinyModels.randomInit(config, 11)) {
            ModelFixtures.randomize(random, 12);
            weights = ModelFixtures.values(random);
            HuggingFaceCheckpoint.save(random, dir.resolve("m"));
        }
        SplittableRandom ids = new SplittableRandom(5);
        long[] first = ids.longs(9, 0, config.vocabSize()).toArray();
        long[] second = ids.longs(5, 0, config.vocabSize()).toArray();
        NaiveLlama reference = new NaiveLlama(config, weights);
        try (LlamaModel model = HuggingFaceCheckpoint.load(dir.resolve("m"));
                NDManager step = model.manager().newSubManager()) {
            long[] batch = new long[18];
            long[] mask = new long[18];
            long[] positions = new long[18];
            for (int t = 0; t < 9; t++) {
                batch[t] = first[t];
                mask[t] = 1;
                positions[t] = t;
                positions[9 + t] = t;
                if (t < 5) {
                    batch[9 + t] = second[t];
                    mask[9 + t] = 1;
                }
            }
            float[] logits = model.logits(step.create(batch, new Shape(2, 9)), step.create(mask, new Shape(2, 9)),
                    step.create(positions, new Shape(2, 9))).toFloatArray();
            int vocab = config.vocabSize();
            List<long[]> rows = List.of(first, second);
            for (int b = 0; b < 2; b++) {
                double[][] expected = reference.logits(rows.get(b));
                for (int t = 0; t < expected.length; t++) {
                    for (int v = 0; v < vocab; v++) {
                        assertThat((double) logits[(b * 9 + t) * vocab + v]).as("row %d position %d token %d", b, t, v)
                                .isCloseTo(expected[t][v], within(1e-4));
                    }
                }
            }
            assertThat(Math.abs(logits[3 * vocab] - logits[4 * vocab]))
                    .as("logits vary, so the comparison means something").isGreaterThan(1e-3f);
        }
    }
}
