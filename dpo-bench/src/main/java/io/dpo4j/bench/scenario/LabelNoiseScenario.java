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
 * <b>Label noise</b> (cDPO: Mitchell 2023, the DPO paper's label-smoothing note): deterministic
 * labels with a fraction {@code flip} flipped at random. Conservative DPO ({@code label_smoothing}
 * ε) minimises −(1−ε)·logσ(βh) − ε·logσ(−βh), whose optimum per pair is the bounded log-ratio gap
 * h* = log((1−ε)/ε)/β; plain DPO (ε = 0) has none. The gap is measured on training pairs (as labelled,
 * flips included). Verdict rules (suite keys): {@code cdpo_bounded} — cDPO's final gap does not exceed
 * h* by more than the margin; {@code reward_matched_kl} — cDPO's true reward at matched KL is not below
 * DPO's by more than the margin; {@code dpo_exceeds} (reported) — DPO's final gap exceeds cDPO's.
 */
public final class LabelNoiseScenario {

    /**
     * Settings.
     *
     * @param lab the protocol's sizes
     * @param lrs the learning rates both arms are swept over
     * @param flip the fraction of labels flipped
     * @param beta β of both arms
     * @param epsilon cDPO's label smoothing ε
     * @param gapPairs how many training pairs the gap is measured on
     * @param steps training steps
     * @param evalEvery steps between evaluations
     * @param rules the verdict rules
     */
    public record Settings(LanguageLab.Settings lab, List<Double> lrs, double flip, double beta, double epsilon,
            int gapPairs, int steps, int evalEvery, Map<String, MarginRule.Spec> rules) {
    }

    private final Settings settings;

    public LabelNoiseScenario(Settings settings) {
        this.settings = settings;
    }

    private String dataName() {
        return String.format(Locale.ROOT, "deterministic-flip-%.3f", settings.flip());
    }

    /** Runs DPO and cDPO over every seed. */
    public ScenarioReport run(BenchContext ctx) {
        long start = System.nanoTime();
        List<LanguageLab> labs = LanguageLab.openAll(ctx, settings.lab());
        String name = dataName() + "/self-" + settings.gapPairs();
        Map<String, Object> plain = Map.of("beta", settings.beta());
        Map<String, Object> smoothed = new LinkedHashMap<>(plain);
        smoothed.put("label_smoothing", settings.epsilon());
        Arm dpo = Arm.of("dpo (ε = 0)", "dpo", plain, settings.lrs()).submit(labs, ctx.sweepSeeds(), (lab, v) -> RunSpec.of("noise-dpo",
                name, v.objective(), v.lr(), settings.steps(), settings.evalEvery()));
        Arm cdpo = Arm.of("cdpo (ε = " + settings.epsilon() + ")", "dpo", smoothed, settings.lrs()).submit(labs, ctx.sweepSeeds(),
                (lab, v) -> RunSpec.of("noise-cdpo", name, v.objective(), v.lr(), settings.steps(),
                        settings.evalEvery()));
        ctx.log().printf(Locale.ROOT, "  label noise: dpo and cdpo × %d learning rates × %d seeds%n",
                settings.lrs().size(), labs.size());
        Arm.resolveAll(List.of(dpo, cdpo));
        return report(labs, dpo, cdpo, (System.nanoTime() - start) / 1e9);
    }

    private ScenarioReport report(List<LanguageLab> labs, Arm dpo, Arm cdpo, double seconds) {
        Rules rules = new Rules(settings.rules());
        double eps = settings.epsilon();
        double target = Math.log((1 - eps) / eps) / settings.beta();
        List<Run> c = cdpo.runs();
        List<Run> d = dpo.runs();
        double[] targets = new double[c.size()];
        java.util.Arrays.fill(targets, target);
        rules.apply("cdpo_bounded", String.format(Locale.ROOT, "log((1−ε)/ε)/β = %.3f − cDPO's final log-ratio gap "
                + "(nats)", target), Matched.of(targets, c.stream().mapToDouble(r -> r.last().gap()).toArray()).delta(),
                true, 2);
        Matched.Comparison reward = Matched.atKl(c, d, Run.Eval::reward);
        rules.apply("reward_matched_kl", "true reward at matched KL, cDPO − DPO", reward.delta(), true, 3);
        Matched.Comparison gaps = Matched.atEnd(d, c, r -> r.last().gap());
        rules.apply("dpo_exceeds", "final log-ratio gap, DPO − cDPO (nats)", gaps.delta(), false, 2);
        List<List<String>> table = new ArrayList<>();
        for (Arm a : List.of(dpo, cdpo)) {
            List<Run> runs = a.runs();
            table.add(Fmt.withCosts(runs, a.name(), a.chosen().label(), Fmt.over(runs, r -> r.middle().gap()).format(2),
                    Fmt.over(runs, r -> r.last().gap()).format(2), Fmt.over(runs, r -> r.last().margin()).format(3),
                    Fmt.over(runs, r -> r.last().reward()).format(3), Fmt.over(runs, Run::finalKl).format(2)));
        }
        List<Chart.Series> gap = new ArrayList<>(List.of(Fmt.trajectory(dpo.name(), d, Run.Eval::gap),
                Fmt.trajectory(cdpo.name(), c, Run.Eval::gap)));
        double[] steps = gap.get(1).x();
        double[] flat = new double[steps.length];
        java.util.Arrays.fill(flat, target);
        gap.add(Chart.Series.of("log((1−ε)/ε)/β", steps, flat));
        String reason = String.format(Locale.ROOT, "with %.0f%% of the labels flipped: final gap DPO %s, cDPO %s nats "
                + "(bound %.2f); true reward at matched KL (%.2f nats) cDPO − DPO Δ = %s.", settings.flip() * 100,
                Fmt.over(d, r -> r.last().gap()).format(2), Fmt.over(c, r -> r.last().gap()).format(2), target,
                reward.meanBudget(), reward.delta().formatSigned(3));
        List<String> design = List.of(
                String.format(Locale.ROOT, "Data: the sampled completions labelled deterministically by the true "
                        + "reward, then %.0f%% of the labels flipped at random; the first %d training pairs (as "
                        + "labelled) are the validation pairs the gap is read on.", settings.flip() * 100,
                        settings.gapPairs()),
                String.format(Locale.ROOT, "Budget: both arms %d steps of %d pairs from π_ref at β = %s, evaluated "
                        + "every %d steps.", settings.steps(), settings.lab().batchSize(), settings.beta(),
                        settings.evalEvery()),
                "Sweep: both arms over lr ∈ " + settings.lrs() + ", chosen on validation reward.",
                "Statistics: 95% t-intervals over " + labs.size() + " seeds, paired by seed; matched KL from isotonic "
                        + "KL paths.");
        return new ScenarioReport("label_noise", "Label noise (cDPO, Mitchell 2023)",
                String.format(Locale.ROOT, "With %.0f%% of the preference labels flipped, cDPO (ε = %s) keeps the "
                        + "log-ratio gap bounded near log((1−ε)/ε)/β and does at least as well as DPO at matched KL.",
                        settings.flip() * 100, eps), design, rules.printed(), rules.verdict(), reason,
                List.of(new Table("Middle and end of training (chosen variants; mean and 95% t-interval over seeds; "
                        + "gap on training pairs as labelled)", Fmt.withCosts("arm", "chosen variant", "gap (middle)",
                                "gap (end)", "reward margin (end)", "true reward at end", "KL at end (fitted)"), table),
                        Fmt.sweep("label noise", List.of(dpo, cdpo))),
                List.of(new Chart("gap", "Log-ratio gap on training pairs (95% t-band)", "training step", "nats", false,
                        gap)), Fmt.rows("label_noise", List.of(dpo, cdpo)), seconds);
    }
}
