package io.dpo4j.api;

import ai.djl.ndarray.NDArray;
import io.dpo4j.api.math.Scalars;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A weighted sum of configured objectives, itself a {@link ConfiguredObjective}: the loss is
 * {@code Σ wᵢ·lossᵢ}; with one term its metrics are the term's (its {@code loss} metric is the
 * result's loss), with several each term's metrics are prefixed by its id ({@code dpo/loss},
 * {@code sft/…}). The terms must share a data layout; the implicit-reward scale is the first term's.
 */
public final class WeightedSum implements ConfiguredObjective {

    /**
     * One term of the sum.
     *
     * @param objective the configured objective
     * @param weight its weight (finite, &gt; 0)
     */
    public record Term(ConfiguredObjective objective, double weight) {

        public Term {
            Objects.requireNonNull(objective, "objective");
            if (!(weight > 0) || !Double.isFinite(weight)) {
                throw new IllegalArgumentException("the weight of '" + objective.id() + "' must be finite and > 0, got "
                        + weight);
            }
        }
    }

    private final List<Term> terms;
    private final ObjectiveRequirements requirements;
    private final Hyperparameters parameters;

    private WeightedSum(List<Term> terms) {
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("a weighted sum needs at least one objective");
        }
        this.terms = List.copyOf(terms);
        DataLayout layout = terms.get(0).objective().requirements().layout();
        Set<Statistic> reads = EnumSet.noneOf(Statistic.class);
        for (Term t : terms) {
            if (t.objective().requirements().layout() != layout) {
                throw new IllegalArgumentException("a weighted sum cannot mix paired and unpaired objectives: "
                        + terms.stream().map(x -> x.objective().id()).toList());
            }
            reads.addAll(t.objective().requirements().reads());
        }
        this.requirements = new ObjectiveRequirements(layout, reads);
        this.parameters = Hyperparameters.resolve(id(), List.of(), Map.of());
    }

    /** The sum of the given terms (at least one, all of one layout). */
    public static WeightedSum of(List<Term> terms) {
        return new WeightedSum(terms);
    }

    /** One objective with weight 1. */
    public static WeightedSum of(ConfiguredObjective objective) {
        return new WeightedSum(List.of(new Term(objective, 1.0)));
    }

    /** The terms, in order. */
    public List<Term> terms() {
        return terms;
    }

    /** The term ids joined by {@code +}, e.g. {@code dpo+sft}. */
    @Override
    public String id() {
        return terms.stream().map(t -> t.objective().id()).collect(Collectors.joining("+"));
    }

    /** None of its own: each term has its parameters ({@link #terms()}). */
    @Override
    public Hyperparameters parameters() {
        return parameters;
    }

    @Override
    public ObjectiveRequirements requirements() {
        return requirements;
    }

    /** The first term's. */
    @Override
    public double rewardScale() {
        return terms.get(0).objective().rewardScale();
    }

    /** True when every term declares it (a sum of row-local gradients is row-local). */
    @Override
    public boolean rowLocalGradient() {
        return terms.stream().allMatch(t -> t.objective().rowLocalGradient()
                && !t.objective().requirements().batchCoupled());
    }

    @Override
    public ObjectiveResult compute(SequenceStatistics statistics) {
        boolean several = terms.size() > 1;
        NDArray total = null;
        Map<String, Double> metrics = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (Term t : terms) {
            ObjectiveResult r = t.objective().compute(statistics);
            NDArray weighted = t.weight() == 1.0 ? r.loss() : Scalars.mul(r.loss(), t.weight());
            total = total == null ? weighted : total.add(weighted);
            r.metrics().forEach((k, v) -> {
                if (several) {
                    metrics.put(t.objective().id() + "/" + k, v);
                } else if (!k.equals("loss")) {
                    metrics.put(k, v);
                }
            });
            warnings.addAll(r.warnings());
        }
        return new ObjectiveResult(total, metrics, warnings);
    }

    @Override
    public List<String> checkDataset(DatasetSummary summary) {
        List<String> out = new ArrayList<>();
        terms.forEach(t -> out.addAll(t.objective().checkDataset(summary)));
        return out;
    }

    @Override
    public String toString() {
        return terms.stream().map(t -> t.weight() + "·" + t.objective()).collect(Collectors.joining(" + "));
    }
}
