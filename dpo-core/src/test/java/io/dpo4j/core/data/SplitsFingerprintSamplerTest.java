package io.dpo4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Splits, fingerprints and the sampler: the same on every run and machine")
class SplitsFingerprintSamplerTest {

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Nested
    @DisplayName("ValidationSplit")
    class Splits {

        @Test
        @DisplayName("holds out round(fraction · n) rows chosen by the seed, keeping the input order on both sides")
        void byFraction() {
            Split<Integer> s = ValidationSplit.byFraction(range(100), 0.1, 42);
            assertThat(s.validation()).hasSize(10).isSorted();
            assertThat(s.train()).hasSize(90).isSorted().doesNotContainAnyElementsOf(s.validation());
            assertThat(ValidationSplit.byFraction(range(100), 0.1, 42)).isEqualTo(s);
            assertThat(ValidationSplit.byFraction(range(100), 0.1, 43).validation()).isNotEqualTo(s.validation());
            // Pinned, and reproduced outside Java (java.util.Random's specified LCG and SplitMix64 in Python):
            // the choice must not change between versions or machines.
            assertThat(ValidationSplit.byFraction(range(10), 0.3, 7).validation()).containsExactly(1, 3, 6);
        }

        @Test
        @DisplayName("holds out at least one row for a small fraction, never all of them, and none for 0")
        void bounds() {
            assertThat(ValidationSplit.byFraction(range(5), 0.01, 1).validation()).hasSize(1);
            assertThat(ValidationSplit.byFraction(range(2), 0.9, 1).train()).hasSize(1);
            assertThat(ValidationSplit.byFraction(range(5), 0, 1).validation()).isEmpty();
        }

        @Test
        @DisplayName("rejects a fraction outside [0, 1) and data too small to split, naming the setting")
        void errors() {
            assertThatThrownBy(() -> ValidationSplit.byFraction(range(5), 1.0, 1)).isInstanceOf(DpoException.class)
                    .hasMessage("validation_fraction must be in [0, 1), got 1.0");
            assertThatThrownBy(() -> ValidationSplit.byFraction(range(5), Double.NaN, 1)).isInstanceOf(DpoException.class);
            assertThatThrownBy(() -> ValidationSplit.byFraction(range(1), 0.5, 1)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("needs at least 2 examples, and there is 1");
        }
    }

    @Nested
    @DisplayName("DataFingerprint")
    class Fingerprints {

        private final List<TokenizedExample> data = List.of(
                new TokenizedPair("a", "f:1", TokenIds.of(5, 6), TokenIds.of(7, 1), TokenIds.of(8, 9, 1), false),
                new TokenizedUnpaired("b", "f:2", TokenIds.of(5), TokenIds.of(7, 1), true, false));
        private final TruncationSettings settings = TruncationSettings.defaults();

        @Test
        @DisplayName("is a pinned SHA-256: the same on every run and machine")
        void stable() {
            // Reproduced outside Java by hashing the documented encoding with Python's hashlib.
            assertThat(DataFingerprint.of(data, settings))
                    .isEqualTo("38d88f37410ed220d3916413260230a1352e25cfbe6e1fd66add74ac14671005")
                    .isEqualTo(DataFingerprint.of(List.copyOf(data), TruncationSettings.defaults()));
        }

        @Test
        @DisplayName("changes with the settings, a token, a label or the order, not with ids or file names")
        void sensitivity() {
            String base = DataFingerprint.of(data, settings);
            assertThat(DataFingerprint.of(data, new TruncationSettings(512, TruncationSettings.UNLIMITED, 1024, TruncationPolicy.DROP))).isNotEqualTo(base);
            assertThat(DataFingerprint.of(data, new TruncationSettings(256, TruncationSettings.UNLIMITED, 1024, TruncationPolicy.TRUNCATE))).isNotEqualTo(base);
            assertThat(DataFingerprint.of(List.of(data.get(0),
                    new TokenizedUnpaired("b", "f:2", TokenIds.of(5), TokenIds.of(7, 1), false, false)), settings)).isNotEqualTo(base);
            assertThat(DataFingerprint.of(List.of(data.get(0),
                    new TokenizedUnpaired("b", "f:2", TokenIds.of(5), TokenIds.of(7, 2), true, false)), settings)).isNotEqualTo(base);
            assertThat(DataFingerprint.of(List.of(data.get(1), data.get(0)), settings)).isNotEqualTo(base);
            // Moving a token from the prompt to the response changes the split point, so the fingerprint.
            assertThat(DataFingerprint.of(List.of(
                    new TokenizedPair("a", "f:1", TokenIds.of(5), TokenIds.of(6, 7, 1), TokenIds.of(8, 9, 1), false), data.get(1)), settings))
                    .isNotEqualTo(base);
            assertThat(DataFingerprint.of(List.of(
                    new TokenizedPair("renamed", "other.jsonl:9", TokenIds.of(5, 6), TokenIds.of(7, 1), TokenIds.of(8, 9, 1), true),
                    new TokenizedUnpaired("b2", "g:5", TokenIds.of(5), TokenIds.of(7, 1), true, false)), settings)).isEqualTo(base);
        }
    }

    @Nested
    @DisplayName("BatchSampler")
    class Sampler {

        @Test
        @DisplayName("each epoch is a permutation cut into batches; epochs differ; the last batch may be smaller")
        void epochs() {
            BatchSampler s = new BatchSampler(10, 4, 3, false);
            assertThat(s.batchesPerEpoch()).isEqualTo(3);
            List<Integer> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Arrays.stream(s.batch(new SamplerPosition(0, i))).forEach(seen::add);
            }
            assertThat(seen).containsExactlyInAnyOrderElementsOf(range(10));
            assertThat(s.batch(new SamplerPosition(0, 2))).hasSize(2);
            assertThat(s.batch(new SamplerPosition(1, 0))).isNotEqualTo(s.batch(new SamplerPosition(0, 0)));
            // Pinned, and reproduced outside Java: the order must not change between versions or machines.
            assertThat(s.batch(new SamplerPosition(0, 0))).containsExactly(7, 8, 3, 9);
        }

        @Test
        @DisplayName("drop_last leaves out the smaller last batch")
        void dropLast() {
            BatchSampler s = new BatchSampler(10, 4, 3, true);
            assertThat(s.batchesPerEpoch()).isEqualTo(2);
            assertThatThrownBy(() -> s.batch(new SamplerPosition(0, 2))).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        @DisplayName("a run resumed from a saved position sees exactly the batches of an uninterrupted run")
        void resume() {
            Iterator<BatchSampler.SampledBatch> straight = new BatchSampler(7, 2, 99, false).from(SamplerPosition.START);
            List<int[]> uninterrupted = new ArrayList<>();
            SamplerPosition saved = null;
            for (int step = 0; step < 13; step++) {
                BatchSampler.SampledBatch b = straight.next();
                uninterrupted.add(b.indices());
                if (step == 5) {
                    saved = new BatchSampler(7, 2, 99, false).next(b.position());
                }
            }
            // A new sampler (a new process) from the saved position.
            Iterator<BatchSampler.SampledBatch> resumed = new BatchSampler(7, 2, 99, false).from(saved);
            for (int step = 6; step < 13; step++) {
                assertThat(resumed.next().indices()).containsExactly(uninterrupted.get(step));
            }
            assertThat(saved).isEqualTo(new SamplerPosition(1, 2));
        }

        @Test
        @DisplayName("another seed gives another order")
        void seeds() {
            assertThat(new BatchSampler(50, 50, 1, false).batch(SamplerPosition.START))
                    .isNotEqualTo(new BatchSampler(50, 50, 2, false).batch(SamplerPosition.START));
        }
    }
}
