package io.dpo4j.core.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("16-bit float conversions")
class HalfPrecisionTest {

    @Test
    @DisplayName("every bfloat16 value widens to float32 and narrows back to the same bits")
    void bfloat16RoundTripsEveryValue() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfPrecision.bfloat16ToFloat((short) bits);
            short back = HalfPrecision.floatToBfloat16(f);
            if (Float.isNaN(f)) {
                assertThat(HalfPrecision.bfloat16ToFloat(back)).isNaN();
            } else {
                assertThat(back & 0xFFFF).as("bits %04x", bits).isEqualTo(bits);
            }
        }
    }

    @Test
    @DisplayName("every float16 value widens to float32 and narrows back to the same bits")
    void halfRoundTripsEveryValue() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfPrecision.halfToFloat((short) bits);
            short back = HalfPrecision.floatToHalf(f);
            if (Float.isNaN(f)) {
                assertThat(HalfPrecision.halfToFloat(back)).isNaN();
            } else {
                assertThat(back & 0xFFFF).as("bits %04x", bits).isEqualTo(bits);
            }
        }
    }

    @Test
    @DisplayName("float16 bit patterns have their IEEE values")
    void halfKnownValues() {
        assertThat(HalfPrecision.halfToFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(HalfPrecision.halfToFloat((short) 0xC000)).isEqualTo(-2.0f);
        assertThat(HalfPrecision.halfToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(HalfPrecision.halfToFloat((short) 0x0001)).isEqualTo((float) Math.pow(2, -24));
        assertThat(HalfPrecision.halfToFloat((short) 0x0400)).isEqualTo((float) Math.pow(2, -14));
        assertThat(HalfPrecision.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfPrecision.halfToFloat((short) 0x8000)).isEqualTo(-0.0f);
        assertThat(HalfPrecision.floatToHalf(65520f)).as("halfway past the largest half rounds to infinity")
                .isEqualTo((short) 0x7C00);
        assertThat(HalfPrecision.floatToHalf(1e-9f)).isZero();
    }

    @Test
    @DisplayName("narrowing rounds to the nearest representable value, ties to even")
    void narrowingRoundsToNearestEven() {
        assertThat(HalfPrecision.floatToBfloat16(1f + 0x1p-8f)).as("tie between 1 and 1+2^-7 goes to even 1")
                .isEqualTo(HalfPrecision.floatToBfloat16(1f));
        assertThat(HalfPrecision.bfloat16ToFloat(HalfPrecision.floatToBfloat16(1f + 3 * 0x1p-8f)))
                .as("tie between 1+2^-7 and 1+2^-6 goes to even 1+2^-6").isEqualTo(1f + 0x1p-6f);
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            float bf16Range = Float.intBitsToFloat(random.nextInt() & 0xBFFFFFFF); // finite, |x| < 2^1
            assertThat(HalfPrecision.bfloat16ToFloat(HalfPrecision.floatToBfloat16(bf16Range)))
                    .isEqualTo(BFLOAT16.nearest(bf16Range));
            float halfRange = (float) ((random.nextDouble() * 2 - 1) * Math.pow(2, random.nextInt(40) - 25));
            assertThat(HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(halfRange)))
                    .isEqualTo(HALF.nearest(halfRange));
        }
    }

    private static final SortedValues BFLOAT16 = new SortedValues(HalfPrecision::bfloat16ToFloat);
    private static final SortedValues HALF = new SortedValues(HalfPrecision::halfToFloat);

    /** Every finite value of a 16-bit format, sorted, to find the nearest one by binary search. */
    private static final class SortedValues {
        private final float[] values;
        private final int[] bits;

        SortedValues(Widening widen) {
            List<float[]> all = new ArrayList<>();
            for (int b = 0; b < 0x10000; b++) {
                float v = widen.apply((short) b);
                if (!Float.isNaN(v) && !Float.isInfinite(v)) {
                    all.add(new float[] {v, b});
                }
            }
            all.sort((p, q) -> Float.compare(p[0], q[0]));
            values = new float[all.size()];
            bits = new int[all.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = all.get(i)[0];
                bits[i] = (int) all.get(i)[1];
            }
        }

        /** The nearest value, ties to the even bit pattern, zero keeping the sign of {@code x}. */
        float nearest(float x) {
            int lo = 0;
            int hi = values.length - 1;
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                if (values[mid] <= x) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            double below = Math.abs((double) x - values[lo]);
            double above = Math.abs((double) values[hi] - x);
            float best;
            if (below < above) {
                best = values[lo];
            } else if (above < below) {
                best = values[hi];
            } else {
                best = (bits[lo] & 1) == 0 ? values[lo] : values[hi];
            }
            return best == 0f ? Math.copySign(0f, x) : best;
        }
    }

    @FunctionalInterface
    private interface Widening {
        float apply(short bits);
    }
}
