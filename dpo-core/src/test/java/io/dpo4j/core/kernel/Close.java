package io.dpo4j.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

/** Scale-relative comparison of float arrays: {@code max|a − e| ≤ tolerance · max(max|e|, 1e-6)}. */
final class Close {

    private Close() {
    }

    static void assertClose(String what, float[] actual, float[] expected, double tolerance) {
        assertThat(actual).as(what + " length").hasSameSizeAs(expected);
        double scale = 1e-6;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) actual[i] - expected[i]);
            if (!(diff <= worst)) {
                worst = diff;
                worstAt = i;
            }
        }
        assertThat(worst / scale)
                .as("%s: worst difference %.3g at index %d (actual %s, expected %s) relative to max |expected| %.3g",
                        what, worst, worstAt, worstAt < 0 ? "-" : actual[worstAt], worstAt < 0 ? "-" : expected[worstAt], scale)
                .isLessThanOrEqualTo(tolerance);
    }

    static void assertClose(String what, float[] actual, double[] expected, double tolerance) {
        float[] e = new float[expected.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = (float) expected[i];
        }
        assertClose(what, actual, e, tolerance);
    }
}
