package io.dpo4j.api.math;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics every paired objective reports, under the names TRL uses so that dashboards carry
 * over: {@code rewards/chosen}, {@code rewards/rejected}, {@code rewards/margins},
 * {@code rewards/accuracies} (chosen reward <em>strictly</em> greater), {@code rewards/ties},
 * {@code logps/chosen}, {@code logps/rejected}, and, when a reference is present,
 * {@code logratios/chosen} and {@code logratios/rejected}.
 */
public final class StandardMetrics {

    private StandardMetrics() {
    }

    /**
     * Batch means of the standard paired metrics.
     *
     * @param rewardChosen implicit reward of each chosen response
     * @param rewardRejected implicit reward of each rejected response
     * @param logpChosen policy log-prob sums of the chosen responses
     * @param logpRejected policy log-prob sums of the rejected responses
     * @param logratioChosen {@code πw − rw} per pair, or {@code null} without a reference
     * @param logratioRejected {@code πl − rl} per pair, or {@code null} without a reference
     */
    public static Map<String, Double> paired(double[] rewardChosen, double[] rewardRejected, double[] logpChosen,
            double[] logpRejected, double[] logratioChosen, double[] logratioRejected) {
        int n = rewardChosen.length;
        double accurate = 0;
        double ties = 0;
        double[] margins = new double[n];
        for (int i = 0; i < n; i++) {
            margins[i] = rewardChosen[i] - rewardRejected[i];
            if (rewardChosen[i] > rewardRejected[i]) {
                accurate++;
            } else if (rewardChosen[i] == rewardRejected[i]) {
                ties++;
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rewards/chosen", mean(rewardChosen));
        m.put("rewards/rejected", mean(rewardRejected));
        m.put("rewards/margins", mean(margins));
        m.put("rewards/accuracies", accurate / n);
        m.put("rewards/ties", ties / n);
        m.put("logps/chosen", mean(logpChosen));
        m.put("logps/rejected", mean(logpRejected));
        if (logratioChosen != null && logratioRejected != null) {
            m.put("logratios/chosen", mean(logratioChosen));
            m.put("logratios/rejected", mean(logratioRejected));
        }
        return m;
    }

    /**
     * The standard metrics of a DPO-style implicit reward {@code β·(π − r)}, from the log-ratios
     * {@code π − r} of chosen and rejected responses; {@code logratios/…} are reported when
     * {@code withLogRatios} (that is, when there is a reference).
     */
    public static Map<String, Double> ofLogRatios(double beta, NDArray policyChosen, NDArray policyRejected,
            NDArray ratioChosen, NDArray ratioRejected, boolean withLogRatios) {
        double[] rw = ObjectiveMath.toDoubles(ratioChosen);
        double[] rl = ObjectiveMath.toDoubles(ratioRejected);
        return paired(scaledDifference(beta, rw, null), scaledDifference(beta, rl, null),
                ObjectiveMath.toDoubles(policyChosen), ObjectiveMath.toDoubles(policyRejected),
                withLogRatios ? rw : null, withLogRatios ? rl : null);
    }

    /**
     * The standard metrics of a reference-free reward {@code scale · avg}, from the average response
     * log-probs (SimPO, ORPO).
     */
    public static Map<String, Double> ofAverages(double scale, NDArray policyChosen, NDArray policyRejected,
            NDArray averageChosen, NDArray averageRejected) {
        return paired(scaledDifference(scale, ObjectiveMath.toDoubles(averageChosen), null),
                scaledDifference(scale, ObjectiveMath.toDoubles(averageRejected), null),
                ObjectiveMath.toDoubles(policyChosen), ObjectiveMath.toDoubles(policyRejected), null, null);
    }

    /** Arithmetic mean (NaN for an empty array). */
    public static double mean(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s / values.length;
    }

    /** {@code scale · (a[i] − b[i])} element-wise; {@code b} may be {@code null} (treated as zeros). */
    public static double[] scaledDifference(double scale, double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = scale * (a[i] - (b == null ? 0 : b[i]));
        }
        return out;
    }
}
