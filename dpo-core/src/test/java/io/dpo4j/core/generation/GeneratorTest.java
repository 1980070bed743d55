package io.dpo4j.core.generation;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.core.generation.GenerationResult.FinishReason;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.ModelFixtures;
import io.dpo4j.core.model.TinyModels;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Generation with a key/value cache")
class GeneratorTest {

    private static final List<long[]> PROMPTS = List.of(new long[] {3, 4, 5, 6, 7}, new long[] {8, 9},
            new long[] {10, 11, 12});
    private static LlamaModel model;

    @BeforeAll
    static void model() {
        LlamaConfig config = LlamaConfig.builder().vocabSize(24).hiddenSize(32).intermediateSize(48).numLayers(2)
                .numHeads(4).numKeyValueHeads(2).build();
        model = TinyModels.randomInit(config, 8);
        ModelFixtures.randomize(model, 9);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    @DisplayName("a batch of prompts of different lengths generates what each prompt generates alone (greedy)")
    void batchedEqualsAlone() {
        GenerationResult batched = Generator.generate(model, PROMPTS, SamplingOptions.greedy(6), Set.of(), 0);
        for (int i = 0; i < PROMPTS.size(); i++) {
            GenerationResult alone = Generator.generate(model, List.of(PROMPTS.get(i)), SamplingOptions.greedy(6),
                    Set.of(), 0);
            assertThat(batched.tokens().get(i)).as("prompt %d", i).containsExactly(alone.tokens().get(0));
        }
        assertThat(batched.tokens()).allSatisfy(t -> assertThat(t).hasSize(6));
        assertThat(batched.finishReasons()).containsOnly(FinishReason.LENGTH);
    }

    @Test
    @DisplayName("sampling is deterministic for a seed and varies with it")
    void seeded() {
        SamplingOptions options = new SamplingOptions(8, 1.5, 0.95, 1234);
        GenerationResult a = Generator.generate(model, PROMPTS, options, Set.of(), 0);
        GenerationResult b = Generator.generate(model, PROMPTS, options, Set.of(), 0);
        for (int i = 0; i < PROMPTS.size(); i++) {
            assertThat(a.tokens().get(i)).containsExactly(b.tokens().get(i));
        }
        boolean anyDifferent = false;
        for (long seed = 1; seed <= 5 && !anyDifferent; seed++) {
            GenerationResult c = Generator.generate(model, PROMPTS, new SamplingOptions(8, 1.5, 0.95, seed), Set.of(), 0);
            for (int i = 0; i < PROMPTS.size(); i++) {
                anyDifferent |= !Arrays.equals(a.tokens().get(i), c.tokens().get(i));
            }
        }
        assertThat(anyDifferent).isTrue();
    }

    @Test
    @DisplayName("each row stops at its first end-of-sequence token, the others go on")
    void stopsPerRowAtEos() {
        GenerationResult free = Generator.generate(model, PROMPTS, SamplingOptions.greedy(6), Set.of(), 0);
        long eos = free.tokens().get(0)[2];
        GenerationResult stopped = Generator.generate(model, PROMPTS, SamplingOptions.greedy(6), Set.of(eos), 0);
        for (int i = 0; i < PROMPTS.size(); i++) {
            long[] all = free.tokens().get(i);
            int first = -1;
            for (int t = 0; t < all.length && first < 0; t++) {
                if (all[t] == eos) {
                    first = t;
                }
            }
            long[] expected = first < 0 ? all : Arrays.copyOf(all, first + 1);
            assertThat(stopped.tokens().get(i)).as("row %d", i).containsExactly(expected);
            assertThat(stopped.finishReasons().get(i)).isEqualTo(first < 0 ? FinishReason.LENGTH : FinishReason.EOS);
        }
        assertThat(stopped.tokens().get(0)).hasSizeLessThanOrEqualTo(3);
        assertThat(stopped.finishReasons().get(0)).isEqualTo(FinishReason.EOS);
    }

    @Test
    @DisplayName("generation leaves no arrays on the model's manager")
    void noLeak() {
        int before = model.manager().getManagedArrays().size();
        Generator.generate(model, PROMPTS, new SamplingOptions(4, 1, 1, 3), Set.of(), 0);
        assertThat(model.manager().getManagedArrays()).hasSize(before);
    }
}
