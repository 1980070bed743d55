package io.dpo4j.kto;

import ai.djl.ndarray.NDArray;
import io.dpo4j.api.AbstractConfiguredObjective;
import io.dpo4j.api.AbstractObjective;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.DatasetSummary;
import io.dpo4j.api.Hyperparameter;
import io.dpo4j.api.Hyperparameters;
import io.dpo4j.api.ObjectiveRequirements;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.Range;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.api.math.Scalars;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * KTO (Ethayarajh et al. 2024, "KTO: Model Alignment as Prospect Theoretic Optimization",
 * arXiv:2402.01306): learns from single responses labelled desirable or undesirable, measuring each
 * implicit reward against a KL reference point estimated from mismatched pairs:
 *
 * <pre>
 * ρ_j    = π_j − r_j
 * z      = max(0, mean_k (π'_k − r'_k))          no gradient flows through z
 * loss_j = λD · (1 − σ(β·(ρ_j − z)))   if desirable
 * loss_j = λU · (1 − σ(β·(z − ρ_j)))   if undesirable
 * loss   = mean_j loss_j
 * </pre>
 *
 * {@code π'_k, r'_k} are log-probs of the completion of example k+1 (cyclically) answering the
 * prompt of example k ({@link Statistic#KL_POLICY}, {@link Statistic#KL_REFERENCE}). Without them
 * (a batch of one) z = 0 and the result carries a warning. Paired data is accepted by unpairing it.
 * Parameters: {@code beta} = 0.1, {@code desirable_weight} λD = 1, {@code undesirable_weight}
 * λU = 1 (both &gt; 0). {@link ConfiguredObjective#checkDataset} warns when λD·nD / (λU·nU) is
 * outside [1, 4/3], the range the paper recommends.
 */
public final class KtoObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "kto";

    public KtoObjective() {
        super(ID, "KTO: prospect-theoretic loss on unpaired desirable/undesirable feedback (Ethayarajh et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the implicit reward"),
                Hyperparameter.real("desirable_weight", 1.0, Range.positive(), "λD: weight of desirable examples"),
                Hyperparameter.real("undesirable_weight", 1.0, Range.positive(),
                        "λU: weight of undesirable examples"));
    }

    @Override
    protected ConfiguredObjective create(Hyperparameters p) {
        return new Configured(p);
    }

    private static final class Configured extends AbstractConfiguredObjective {

        /** A mean of per-row terms given detached batch quantities: the single-pass kernel applies. */
        @Override
        public boolean rowLocalGradient() {
            return true;
        }

        /** The implicit reward's scale: {@code beta}. */
        @Override
        public double rewardScale() {
            return beta;
        }

        private final double beta;
        private final double desirableWeight;
        private final double undesirableWeight;

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.unpaired(Statistic.POLICY, Statistic.REFERENCE, Statistic.DESIRABLE,
                    Statistic.KL_POLICY, Statistic.KL_REFERENCE));
            this.beta = p.real("beta");
            this.desirableWeight = p.real("desirable_weight");
            this.undesirableWeight = p.real("undesirable_weight");
        }

        /** z, the KL reference point: a batch-level value without gradient. */
        @Override
        public Map<String, Double> stopGradientTerms(SequenceStatistics s) {
            return Map.of("z", referencePoint(s));
        }

        private static boolean hasMismatchedPairs(SequenceStatistics s) {
            return s.has(Statistic.KL_POLICY) && s.get(Statistic.KL_POLICY).size() > 0;
        }

        private static double referencePoint(SequenceStatistics s) {
            if (!hasMismatchedPairs(s)) {
                return 0;
            }
            NDArray klGap = s.get(Statistic.KL_POLICY).stopGradient().sub(s.get(Statistic.KL_REFERENCE).stopGradient());
            return Math.max(0, ObjectiveMath.scalar(klGap.mean()));
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            return compute(s, Map.of());
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s, Map<String, Double> held) {
            if (!held.keySet().stream().allMatch("z"::equals)) {
                throw new IllegalArgumentException("kto's only stop-gradient term is z, asked to hold " + held.keySet());
            }
            NDArray policy = s.get(Statistic.POLICY);
            NDArray ratio = policy.sub(s.get(Statistic.REFERENCE));
            NDArray desirable = s.get(Statistic.DESIRABLE);
            List<String> warnings = new ArrayList<>();
            double z = held.containsKey("z") ? held.get("z") : referencePoint(s);
            if (!hasMismatchedPairs(s)) {
                warnings.add("kto: no mismatched pairs in this batch (a batch of one has none); "
                        + "the KL reference point z is taken as 0");
            }
            NDArray shifted = Scalars.mul(ratio.sub(z), beta);
            // 1 − σ(x) = σ(−x): desirable rows pay σ(−β(ρ−z)), undesirable rows pay σ(β(ρ−z)).
            NDArray desirableLoss = Scalars.mul(ObjectiveMath.sigmoid(shifted.neg()), desirableWeight);
            NDArray undesirableLoss = Scalars.mul(ObjectiveMath.sigmoid(shifted), undesirableWeight);
            NDArray perRow = desirableLoss.mul(desirable).add(undesirableLoss.mul(desirable.neg().add(1)));
            NDArray loss = perRow.mean();
            return new ObjectiveResult(loss, metrics(loss, policy, ratio, desirable, z), warnings);
        }

        private Map<String, Double> metrics(NDArray loss, NDArray policy, NDArray ratio, NDArray desirable, double z) {
            double[] logp = ObjectiveMath.toDoubles(policy);
            double[] rho = ObjectiveMath.toDoubles(ratio);
            double[] label = ObjectiveMath.toDoubles(desirable);
            double sumRewardD = 0;
            double sumRewardU = 0;
            double sumLogpD = 0;
            double sumLogpU = 0;
            int nD = 0;
            int nU = 0;
            for (int i = 0; i < rho.length; i++) {
                if (label[i] > 0.5) {
                    sumRewardD += beta * rho[i];
                    sumLogpD += logp[i];
                    nD++;
                } else {
                    sumRewardU += beta * rho[i];
                    sumLogpU += logp[i];
                    nU++;
                }
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("loss", ObjectiveMath.scalar(loss));
            m.put("kl", z);
            if (nD > 0) {
                m.put("rewards/chosen", sumRewardD / nD);
                m.put("logps/chosen", sumLogpD / nD);
            }
            if (nU > 0) {
                m.put("rewards/rejected", sumRewardU / nU);
                m.put("logps/rejected", sumLogpU / nU);
            }
            if (nD > 0 && nU > 0) {
                m.put("rewards/margins", sumRewardD / nD - sumRewardU / nU);
            }
            m.put("count/desirable", (double) nD);
            m.put("count/undesirable", (double) nU);
            return m;
        }

        @Override
        public List<String> checkDataset(DatasetSummary summary) {
            long nD = summary.desirable() + summary.pairs();
            long nU = summary.undesirable() + summary.pairs();
            if (nD == 0 || nU == 0) {
                return List.of(String.format(Locale.ROOT,
                        "kto: the data has %d desirable and %d undesirable examples; KTO needs both", nD, nU));
            }
            double ratio = desirableWeight * nD / (undesirableWeight * nU);
            if (ratio < 1 || ratio > 4.0 / 3) {
                return List.of(String.format(Locale.ROOT,
                        "kto: desirable_weight·nD / (undesirable_weight·nU) = %.3g·%d / (%.3g·%d) = %.3f is outside "
                                + "[1, 4/3], the range the KTO paper recommends; consider desirable_weight = %.3g",
                        desirableWeight, nD, undesirableWeight, nU, ratio, undesirableWeight * nU / (double) nD));
            }
            return List.of();
        }
    }
}
