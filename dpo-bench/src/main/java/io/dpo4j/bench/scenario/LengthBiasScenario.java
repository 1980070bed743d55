package io.dpo4j.bench.scenario;

import io.dpo4j.bench.lab.LanguageLab;
import io.dpo4j.bench.lab.Run;
import io.dpo4j.bench.lab.RunSpec;
import io.dpo4j.bench.stats.Interval;
import io.dpo4j.bench.stats.TInterval;
import io.dpo4j.core.data.Content;
import io.dpo4j.core.data.PairedExample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * <b>Length bias</b> (the background chapter's §10; Meng et al. 2024, SimPO): the same sampled
 * completions labelled twice — by Bradley–Terry on the true reward plus {@code per_token} per
 * response token (the chosen response is longer on average), and with {@code per_token = 0} (the
 * control: the frontier's data). The true reward itself favours some lengths, so length can grow
 * under any method that raises reward; the quantity is the <b>excess length at matched KL</b>: per
 * seed, the length sampled after training on the biased data minus after training on the control
 * data, both read where the runs' monotone KL paths reach the smaller of their final KLs. Ablations
 * isolate length normalisation: IPO with and without it, DPO reference-free, SimPO at two γ.
 * Verdict rules (suite keys): {@code dpo_excess} — DPO's excess length exceeds the margin;
 * {@code dpo_vs_simpo} — DPO's excess exceeds SimPO's by more than the margin.
 */
public final class LengthBiasScenario {

    /**
     * Settings.
     *
     * @param lab the protocol's sizes
     * @param lrs the learning rates every arm is swept over
     * @param perToken the labelling bonus per response token (in reward units)
     * @param arms arm name → objective; the claim reads the arms named {@code dpo} and {@code simpo}
     * @param controls the arms also trained on the control data (per_token = 0)
     * @param ablationLrs the learning rates of the arms that are neither {@code dpo} nor {@code simpo}
     * @param steps training steps per run
     * @param evalEvery steps between evaluations
     * @param rules the verdict rules: {@code dpo_excess}, {@code dpo_vs_simpo}
     */
    public record Settings(LanguageLab.Settings lab, List<Double> lrs, double perToken, Map<String, ArmSpec> arms,
            List<String> controls, List<Double> ablationLrs, int steps, int evalEvery,
            Map<String, MarginRule.Spec> rules) {
    }

    /** The arms the claim compares (the others are ablations). */
    private static final List<String> CLAIM = List.of("dpo", "simpo");

    private final Settings settings;

    public LengthBiasScenario(Settings settings) {
        this.settings = settings;
    }

    private String biasedData() {
        return String.format(Locale.ROOT, "length-biased-%.4f", settings.perToken());
    }

    /** Runs every arm over every seed, on the biased data and (controls) on the control data. */
    public ScenarioReport run(BenchContext ctx) {
        long start = System.nanoTime();
        List<LanguageLab> labs = LanguageLab.openAll(ctx, settings.lab());
        Map<String, Arm> biased = new LinkedHashMap<>();
        Map<String, Arm> control = new LinkedHashMap<>();
        settings.arms().forEach((name, a) -> {
            List<Double> lrs = CLAIM.contains(name) || settings.controls().contains(name) ? settings.lrs()
                    : settings.ablationLrs();
            biased.put(name, Arm.of(name, a.id(), a.params(), lrs).submit(labs, ctx.sweepSeeds(), (lab, v) ->
                    RunSpec.of("length-" + name, biasedData(), v.objective(), v.lr(), settings.steps(),
                            settings.evalEvery())));
            if (settings.controls().contains(name)) {
                control.put(name, Arm.of(name + " (control)", a.id(), a.params(), settings.lrs()).submit(labs, ctx.sweepSeeds(),
                        (lab, v) -> RunSpec.of("frontier-" + a.id(), RewardKlFrontierScenario.DATA, v.objective(),
                                v.lr(), settings.steps(), settings.evalEvery())));
            }
        });
        ctx.log().printf(Locale.ROOT, "  length bias: %d arms (%d with a control) × %d learning rates × %d seeds%n",
                biased.size(), control.size(), settings.lrs().size(), labs.size());
        List<Arm> every = new ArrayList<>(biased.values());
        every.addAll(control.values());
        Arm.resolveAll(every);
        return report(labs, biased, control, (System.nanoTime() - start) / 1e9);
    }

    /** Per seed: length on the biased data minus on the control data, at their matched KL. */
    private static Matched.Comparison excess(Arm biased, Arm control) {
        return Matched.atKl(biased.runs(), control.runs(), Run.Eval::length);
    }

    private ScenarioReport report(List<LanguageLab> labs, Map<String, Arm> biased, Map<String, Arm> control,
            double seconds) {
        Rules rules = new Rules(settings.rules());
        Map<String, Matched.Comparison> excess = new LinkedHashMap<>();
        control.forEach((name, c) -> excess.put(name, excess(biased.get(name), c)));
        Matched.Comparison dpoExcess = excess.get("dpo");
        Matched.Comparison simpoExcess = excess.get("simpo");
        if (dpoExcess == null) {
            rules.missing("dpo_excess", "needs an arm named dpo with a control", true);
        } else {
            rules.apply("dpo_excess", "excess length at matched KL under DPO (tokens; biased − control data)",
                    dpoExcess.delta(), true, 2);
        }
        Interval dpoVsSimpo = null;
        if (dpoExcess == null || simpoExcess == null) {
            rules.missing("dpo_vs_simpo", "needs arms named dpo and simpo, both with a control", true);
        } else {
            double[] d = new double[dpoExcess.a().length];
            double[] s = new double[d.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = dpoExcess.a()[i] - dpoExcess.b()[i];
                s[i] = simpoExcess.a()[i] - simpoExcess.b()[i];
            }
            dpoVsSimpo = TInterval.paired(d, s);
            rules.apply("dpo_vs_simpo", "excess length at matched KL, DPO − SimPO (tokens)", dpoVsSimpo, true, 2);
        }
        Arm dpo = biased.get("dpo");
        List<List<String>> table = new ArrayList<>();
        for (Map.Entry<String, Arm> e : biased.entrySet()) {
            List<Run> runs = e.getValue().runs();
            String vsDpo = dpo == null || e.getValue() == dpo ? "—"
                    : Matched.atKl(runs, dpo.runs(), Run.Eval::length).delta().formatSigned(1);
            Matched.Comparison x = excess.get(e.getKey());
            table.add(Fmt.withCosts(runs, e.getKey(), settings.arms().get(e.getKey()).toString(),
                    e.getValue().chosen().label(), Fmt.f1(Fmt.over(runs, r -> r.first().length()).mean()),
                    Fmt.over(runs, r -> r.last().length()).format(1),
                    x == null ? "no control" : x.delta().formatSigned(1), vsDpo,
                    Fmt.over(runs, r -> r.last().reward()).format(3), Fmt.over(runs, Run::finalKl).format(2)));
        }
        List<Chart.Series> series = new ArrayList<>();
        biased.forEach((name, a) -> series.add(Fmt.trajectory(name, a.runs(), Run.Eval::length)));
        control.forEach((name, a) -> series.add(Fmt.trajectory(name + " (control)", a.runs(), Run.Eval::length)));
        List<Arm> all = new ArrayList<>(biased.values());
        all.addAll(control.values());
        double gap = labs.stream().mapToDouble(l -> lengthGap(l.preferences(biasedData(),
                l.lengthBiased(settings.perToken())).train())).average().orElse(Double.NaN);
        double gap0 = labs.stream().mapToDouble(l -> lengthGap(l.preferences(RewardKlFrontierScenario.DATA,
                l.bradleyTerry()).train())).average().orElse(Double.NaN);
        List<Table> tables = List.of(new Table(String.format(Locale.ROOT, "Sampled length on the test prompts "
                + "(tokens; mean and 95%% t-interval over %d seeds). Chosen minus rejected length in the training "
                + "pairs: %.2f words (biased), %.2f (control)", labs.size(), gap, gap0), Fmt.withCosts("arm",
                        "objective", "chosen variant", "length at start", "length at end",
                        "excess at matched KL (biased − control)", "length at matched KL − DPO's (biased data)",
                        "true reward at end", "KL at end (fitted)"), table), Fmt.sweep("length bias", all));
        String reason = String.format(Locale.ROOT, "excess length at matched KL (biased − control): DPO %s tokens, "
                + "SimPO %s; DPO − SimPO %s. Raw length at end (biased): DPO %s, SimPO %s.",
                dpoExcess == null ? "n/a" : dpoExcess.delta().formatSigned(1),
                simpoExcess == null ? "n/a" : simpoExcess.delta().formatSigned(1),
                dpoVsSimpo == null ? "n/a" : dpoVsSimpo.formatSigned(1),
                dpo == null ? "n/a" : Fmt.over(dpo.runs(), r -> r.last().length()).format(1),
                biased.get("simpo") == null ? "n/a" : Fmt.over(biased.get("simpo").runs(), r -> r.last().length())
                        .format(1));
        List<String> design = List.of(
                String.format(Locale.ROOT, "Data: the frontier's sampled completions, labelled by Bradley–Terry on "
                        + "the true reward plus %s per response token (biased), and without the bonus (control, the "
                        + "frontier's data).", settings.perToken()),
                String.format(Locale.ROOT, "Budget: every run %d steps of %d pairs from π_ref, evaluated every %d "
                        + "steps; controls: %s.", settings.steps(), settings.lab().batchSize(), settings.evalEvery(),
                        settings.controls()),
                "Sweep: dpo, simpo and every control (on its own data) over lr ∈ " + settings.lrs()
                        + "; the ablations over lr ∈ " + settings.ablationLrs() + "; chosen on validation reward.",
                "Excess length at matched KL: per seed, the biased and the control run of an arm are read where their "
                        + "isotonic KL paths reach the smaller of their final KLs; 95% paired t-intervals over "
                        + labs.size() + " seeds.");
        return new ScenarioReport("length_bias", "Length bias (the chapter's §10; SimPO, Meng et al. 2024)",
                "When chosen responses are longer, DPO's sampled length grows beyond what the true reward explains "
                        + "(excess length at matched KL over a per_token = 0 control), and much less under SimPO "
                        + "(length-normalised).", design, rules.printed(), rules.verdict(), reason, tables,
                List.of(new Chart("length", "Mean length of sampled responses (95% t-band over seeds)", "training step",
                        "tokens", false, series)), Fmt.rows("length_bias", all), seconds);
    }

    private static double lengthGap(List<PairedExample> pairs) {
        double sum = 0;
        for (PairedExample p : pairs) {
            sum += text(p.chosen()).split("\\s+").length - text(p.rejected()).split("\\s+").length;
        }
        return pairs.isEmpty() ? 0 : sum / pairs.size();
    }

    private static String text(Content c) {
        return ((Content.Text) c).text();
    }
}
