package io.dpo4j.core.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Token sampling")
class TokenSamplerTest {

    private static final float[] LOGITS = {0f, (float) Math.log(2), (float) Math.log(5), (float) Math.log(2), 0f};

    private static double[] frequencies(TokenSampler sampler, int draws) {
        double[] counts = new double[LOGITS.length];
        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(LOGITS, 0, LOGITS.length)]++;
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] /= draws;
        }
        return counts;
    }

    @Test
    @DisplayName("temperature 0 takes the argmax, reading the row at its offset")
    void greedy() {
        TokenSampler sampler = new TokenSampler(0, 1, new SplittableRandom(1));
        assertThat(sampler.sample(LOGITS, 0, 5)).isEqualTo(2);
        float[] twoRows = {9f, 0f, 0f, 0f, 1f, 3f};
        assertThat(sampler.sample(twoRows, 3, 3)).isEqualTo(2);
    }

    @Test
    @DisplayName("temperature 1 samples the softmax probabilities")
    void samplesSoftmax() {
        double[] f = frequencies(new TokenSampler(1, 1, new SplittableRandom(3)), 100_000);
        double[] expected = {1 / 11.0, 2 / 11.0, 5 / 11.0, 2 / 11.0, 1 / 11.0};
        for (int i = 0; i < f.length; i++) {
            assertThat(f[i]).as("token %d", i).isCloseTo(expected[i], within(0.01));
        }
    }

    @Test
    @DisplayName("a high temperature flattens the distribution")
    void temperatureFlattens() {
        double[] f = frequencies(new TokenSampler(100, 1, new SplittableRandom(3)), 50_000);
        for (double v : f) {
            assertThat(v).isCloseTo(0.2, within(0.01));
        }
    }

    @Test
    @DisplayName("top-p keeps the most probable tokens until their mass reaches p")
    void nucleus() {
        // sorted probabilities 5/11, 2/11, 2/11, 1/11, 1/11: reaching 0.6 takes 5/11 + 2/11 = 0.64, so two tokens
        // (token 2, then token 1: of two equal probabilities the lower index comes first)
        double[] f = frequencies(new TokenSampler(1, 0.6, new SplittableRandom(5)), 50_000);
        assertThat(f[0]).isZero();
        assertThat(f[3]).isZero();
        assertThat(f[4]).isZero();
        assertThat(f[2]).isCloseTo(5 / 7.0, within(0.01));
        assertThat(f[1]).isCloseTo(2 / 7.0, within(0.01));
        double[] tiny = frequencies(new TokenSampler(1, 0.01, new SplittableRandom(5)), 1000);
        assertThat(tiny[2]).as("a tiny p keeps only the top token").isEqualTo(1.0);
    }

    @Test
    @DisplayName("the same seed draws the same tokens")
    void seeded() {
        TokenSampler a = new TokenSampler(0.8, 0.9, new SplittableRandom(99));
        TokenSampler b = new TokenSampler(0.8, 0.9, new SplittableRandom(99));
        for (int i = 0; i < 200; i++) {
            assertThat(a.sample(LOGITS, 0, 5)).isEqualTo(b.sample(LOGITS, 0, 5));
        }
    }
}
