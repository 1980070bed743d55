package io.dpo4j.api.math;

import ai.djl.ndarray.NDArray;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-pair log-ratios most paired objectives start from: {@code ρw = πw − rw},
 * {@code ρl = πl − rl} and the DPO margin {@code h = ρw − ρl}, with the policy log-probs they came
 * from (the arrays gradients flow back to).
 *
 * @param policyChosen πw
 * @param policyRejected πl
 * @param chosen ρw
 * @param rejected ρl
 */
public record LogRatios(NDArray policyChosen, NDArray policyRejected, NDArray chosen, NDArray rejected) {

    /** The log-ratios of a paired batch (which must hold the four log-prob statistics). */
    public static LogRatios of(SequenceStatistics s) {
        NDArray pw = s.get(Statistic.POLICY_CHOSEN);
        NDArray pl = s.get(Statistic.POLICY_REJECTED);
        return new LogRatios(pw, pl, pw.sub(s.get(Statistic.REFERENCE_CHOSEN)), pl.sub(s.get(Statistic.REFERENCE_REJECTED)));
    }

    /** {@code h = ρw − ρl}. */
    public NDArray margin() {
        return chosen.sub(rejected);
    }

    /**
     * {@code loss} followed by the standard paired metrics of the reverse-KL reward {@code β·ρ}
     * ({@link StandardMetrics#ofLogRatios}), in TRL's names.
     */
    public Map<String, Double> metrics(NDArray loss, double beta) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", ObjectiveMath.scalar(loss));
        m.putAll(StandardMetrics.ofLogRatios(beta, policyChosen, policyRejected, chosen, rejected, true));
        return m;
    }
}
