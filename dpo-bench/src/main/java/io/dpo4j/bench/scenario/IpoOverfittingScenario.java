package io.dpo4j.bench.scenario;

import io.dpo4j.bench.lab.LanguageLab;
import io.dpo4j.bench.lab.Run;
import io.dpo4j.bench.lab.RunSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * <b>Over-fitting deterministic preferences</b> (Azar et al. 2023, §4–5, on the language model): a
 * small set of pairs labelled <b>deterministically</b> (the higher true reward always wins), seen
 * many times. DPO's logistic loss keeps pushing the log-ratio gap towards infinity — its KL and the
 * rejected responses' log-ratio keep moving long after the pairs are separated — while IPO regresses
 * the gap to 1/(2τ) and levels off there. IPO runs with {@code length_normalized = false}, so its
 * target is on the summed log-ratio gap the report reads. The gap, log-ratios and KL are measured on
 * the training pairs themselves (they are the validation pairs of these runs); "still moving" compares
 * the middle evaluation with the last. A dynamics claim: one learning rate, no sweep. Verdict rules
 * (suite keys): {@code dpo_rejected_falls}, {@code dpo_kl_grows}, {@code ipo_gap_target},
 * {@code ipo_levels_off}.
 */
public final class IpoOverfittingScenario {

    /**
     * Settings.
     *
     * @param lab the protocol's sizes
     * @param lr the learning rate of both arms
     * @param trainPairs how many deterministic pairs are trained on
     * @param dpoParams DPO's parameters
     * @param tau IPO's τ (its {@code beta})
     * @param steps training steps
     * @param evalEvery steps between evaluations
     * @param rules the verdict rules
     */
    public record Settings(LanguageLab.Settings lab, double lr, int trainPairs, Map<String, Object> dpoParams,
            double tau, int steps, int evalEvery, Map<String, MarginRule.Spec> rules) {
    }

    private final Settings settings;

    public IpoOverfittingScenario(Settings settings) {
        this.settings = settings;
    }

    /** Runs DPO and IPO over every seed. */
    public ScenarioReport run(BenchContext ctx) {
        long start = System.nanoTime();
        List<LanguageLab> labs = LanguageLab.openAll(ctx, settings.lab());
        String name = "deterministic/first-" + settings.trainPairs() + "/self";
        Map<String, Object> ipoParams = new LinkedHashMap<>();
        ipoParams.put("beta", settings.tau());
        ipoParams.put("length_normalized", false);
        Arm dpo = Arm.of("dpo", "dpo", settings.dpoParams(), List.of(settings.lr()))
                .submit(labs, ctx.sweepSeeds(), (lab, v) -> RunSpec.of("overfit-dpo", name, v.objective(), v.lr(),
                        settings.steps(), settings.evalEvery()));
        Arm ipo = Arm.of("ipo", "ipo", ipoParams, List.of(settings.lr()))
                .submit(labs, ctx.sweepSeeds(), (lab, v) -> RunSpec.of("overfit-ipo", name, v.objective(), v.lr(),
                        settings.steps(), settings.evalEvery()));
        ctx.log().printf(Locale.ROOT, "  ipo over-fitting: dpo and ipo × %d seeds%n", labs.size());
        Arm.resolveAll(List.of(dpo, ipo));
        return report(labs, dpo, ipo, (System.nanoTime() - start) / 1e9);
    }

    private ScenarioReport report(List<LanguageLab> labs, Arm dpo, Arm ipo, double seconds) {
        Rules rules = new Rules(settings.rules());
        double target = 1 / (2 * settings.tau());
        List<Run> d = dpo.runs();
        List<Run> i = ipo.runs();
        rules.apply("dpo_rejected_falls", "DPO's rejected log-ratio, middle − last evaluation (nats)",
                Matched.of(
                        d.stream().mapToDouble(r -> r.middle().logratioRejected()).toArray(),
                        d.stream().mapToDouble(r -> r.last().logratioRejected()).toArray()).delta(), true, 2);
        rules.apply("dpo_kl_grows", "DPO's fitted KL, last − middle evaluation (nats)", Matched.of(
                d.stream().mapToDouble(Run::finalKl).toArray(),
                d.stream().mapToDouble(r -> r.klFit()[r.evals().indexOf(r.middle())]).toArray()).delta(), true, 2);
        double[] targets = new double[i.size()];
        java.util.Arrays.fill(targets, target);
        rules.apply("ipo_gap_target", String.format(Locale.ROOT, "IPO's log-ratio gap at the end − 1/(2τ) = %.3f "
                + "(nats)", target), Matched.of(i.stream().mapToDouble(r -> r.last().gap()).toArray(), targets).delta(),
                true, 2);
        rules.apply("ipo_levels_off", "IPO's log-ratio gap, last − middle evaluation (nats)", Matched.of(
                i.stream().mapToDouble(r -> r.last().gap()).toArray(),
                i.stream().mapToDouble(r -> r.middle().gap()).toArray()).delta(), true, 2);
        List<List<String>> table = new ArrayList<>();
        for (Arm a : List.of(dpo, ipo)) {
            List<Run> runs = a.runs();
            table.add(Fmt.withCosts(runs, a.name(), a.chosen().label(), Fmt.over(runs, r -> r.middle().gap()).format(2),
                    Fmt.over(runs, r -> r.last().gap()).format(2),
                    Fmt.over(runs, r -> r.middle().logratioRejected()).format(2),
                    Fmt.over(runs, r -> r.last().logratioRejected()).format(2),
                    Fmt.over(runs, r -> r.klFit()[r.evals().indexOf(r.middle())]).format(2),
                    Fmt.over(runs, Run::finalKl).format(2), Fmt.over(runs, r -> r.last().reward()).format(3)));
        }
        List<Chart.Series> gap = new ArrayList<>(List.of(Fmt.trajectory("dpo", d, Run.Eval::gap),
                Fmt.trajectory("ipo", i, Run.Eval::gap)));
        double[] steps = gap.get(1).x();
        double[] flat = new double[steps.length];
        java.util.Arrays.fill(flat, target);
        gap.add(Chart.Series.of("1/(2τ)", steps, flat));
        List<Chart.Series> rejected = List.of(Fmt.trajectory("dpo", d, Run.Eval::logratioRejected),
                Fmt.trajectory("ipo", i, Run.Eval::logratioRejected));
        List<Chart.Series> kl = List.of(Fmt.trajectory("dpo", d, Run.Eval::kl), Fmt.trajectory("ipo", i, Run.Eval::kl));
        String reason = String.format(Locale.ROOT, "on %d deterministic pairs over %d steps: DPO's gap %s → %s nats, "
                + "rejected log-ratio %s → %s, KL %s → %s; IPO's gap %s → %s (1/(2τ) = %.2f).", settings.trainPairs(),
                settings.steps(), Fmt.over(d, r -> r.middle().gap()).format(2), Fmt.over(d, r -> r.last().gap()).format(2),
                Fmt.over(d, r -> r.middle().logratioRejected()).format(2),
                Fmt.over(d, r -> r.last().logratioRejected()).format(2),
                Fmt.over(d, r -> r.klFit()[r.evals().indexOf(r.middle())]).format(2), Fmt.over(d, Run::finalKl).format(2),
                Fmt.over(i, r -> r.middle().gap()).format(2), Fmt.over(i, r -> r.last().gap()).format(2), target);
        List<String> design = List.of(
                String.format(Locale.ROOT, "Data: the first %d pairs of the sampled completions, labelled "
                        + "deterministically by the true reward (ties dropped); the same pairs are the runs' validation "
                        + "pairs, so gap and log-ratios are those of the pairs trained on.", settings.trainPairs()),
                String.format(Locale.ROOT, "Budget: both arms %d steps of %d pairs (≈ %.0f epochs) at lr %.0e, from "
                        + "π_ref, evaluated every %d steps; no sweep (a dynamics claim at a common learning rate).",
                        settings.steps(), settings.lab().batchSize(), settings.steps() * (double) settings.lab()
                                .batchSize() / settings.trainPairs(), settings.lr(), settings.evalEvery()),
                String.format(Locale.ROOT, "IPO: τ = %s, length_normalized = false (target 1/(2τ) = %.3f on the summed "
                        + "log-ratio gap); DPO: %s.", settings.tau(), target, settings.dpoParams()),
                "Statistics: \"still moving\" = last − middle evaluation, per seed; 95% t-intervals over " + labs.size()
                        + " seeds.");
        return new ScenarioReport("ipo_overfitting", "Over-fitting deterministic preferences (IPO, Azar et al. 2023)",
                "With deterministic preferences DPO over-fits — its KL and the rejected log-ratio keep moving — while "
                        + "IPO's log-ratio gap levels off near 1/(2τ).", design, rules.printed(), rules.verdict(), reason,
                List.of(new Table("Middle and end of training (mean and 95% t-interval over seeds; gap and log-ratios "
                        + "on the training pairs)", Fmt.withCosts("arm", "variant", "gap (middle)", "gap (end)",
                                "rejected log-ratio (middle)", "rejected log-ratio (end)", "KL (middle, fitted)",
                                "KL (end, fitted)", "true reward at end"), table)),
                List.of(new Chart("gap", "Log-ratio gap on the training pairs (95% t-band)", "training step", "nats",
                        false, gap), new Chart("rejected", "Rejected responses' log-ratio log π/π_ref", "training step",
                                "nats", false, rejected), new Chart("kl", "KL(π‖π_ref) estimate on the test prompts",
                                "training step", "nats", false, kl)),
                Fmt.rows("ipo_overfitting", List.of(dpo, ipo)), seconds);
    }
}
