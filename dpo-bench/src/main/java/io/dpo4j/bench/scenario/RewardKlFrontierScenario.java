package io.dpo4j.bench.scenario;

import io.dpo4j.bench.lab.LanguageLab;
import io.dpo4j.bench.lab.Run;
import io.dpo4j.bench.lab.RunSpec;
import io.dpo4j.bench.stats.BestOfN;
import io.dpo4j.bench.stats.Interval;
import io.dpo4j.bench.stats.TInterval;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * <b>Reward–KL frontier</b> (Rafailov et al. 2023, §6 and Fig. 2): on preferences sampled from π_ref
 * and labelled by Bradley–Terry on the true reward, DPO over a β sweep, the other objectives, and the
 * paper's baselines — <b>Preferred-FT</b> (supervised fine-tuning on the chosen responses) and
 * <b>best-of-N</b> sampling from π_ref, whose KL is exactly log N − (N−1)/N. Every trained arm is
 * swept over learning rates and keeps the variant with the best validation reward; comparisons are
 * paired by seed, at matched KL (each run's monotone KL path read where it reaches the smaller of the
 * two final KLs). Verdict rules (suite keys): {@code beta_sweep} — DPO's final KL falls as β rises
 * (at a common learning rate); {@code vs_preferred_ft} — DPO's reward at matched KL exceeds
 * Preferred-FT's; {@code vs_best_of_n} — DPO's reward at matched KL is not below best-of-N's by more
 * than the margin.
 */
public final class RewardKlFrontierScenario {

    /**
     * Settings.
     *
     * @param lab the protocol's sizes
     * @param lrs the learning rates every arm is swept over
     * @param dpoBetas DPO's β sweep (increasing)
     * @param primaryBeta the DPO β compared with the baselines (one of {@code dpoBetas})
     * @param others other objectives: id → parameter sets, one arm each
     * @param preferredFt whether to run the Preferred-FT baseline
     * @param bestOfN the N of the best-of-N baseline (increasing; empty: none)
     * @param steps training steps per run
     * @param evalEvery steps between evaluations
     * @param rules the verdict rules: {@code beta_sweep}, {@code vs_preferred_ft}, {@code vs_best_of_n}
     */
    public record Settings(LanguageLab.Settings lab, List<Double> lrs, List<Double> dpoBetas, double primaryBeta,
            Map<String, List<Map<String, Object>>> others, boolean preferredFt, List<Integer> bestOfN, int steps,
            int evalEvery, Map<String, MarginRule.Spec> rules) {
    }

    /** The data every arm of this scenario trains on. */
    static final String DATA = LanguageLab.BRADLEY_TERRY;

    private final Settings settings;

    public RewardKlFrontierScenario(Settings settings) {
        this.settings = settings;
    }

    static String dpoArm(double beta) {
        return "dpo β=" + beta;
    }

    /** Runs every arm over every seed. */
    public ScenarioReport run(BenchContext ctx) {
        long start = System.nanoTime();
        List<LanguageLab> labs = LanguageLab.openAll(ctx, settings.lab());
        // The primary DPO arm and every other arm are swept over the learning rates; the rest of the β
        // sweep runs at the primary arm's chosen learning rate (the β-sweep rule reads a common one).
        Arm primary = Arm.of(dpoArm(settings.primaryBeta()), "dpo", Map.of("beta", settings.primaryBeta()),
                settings.lrs());
        List<Arm> swept = new ArrayList<>(List.of(primary));
        settings.others().forEach((id, sets) -> sets.forEach(p -> swept.add(Arm.of(id + (p.isEmpty() ? "" : " " + p),
                id, p, settings.lrs()))));
        if (settings.preferredFt()) {
            swept.add(Arm.of("preferred-ft", "preferred_ft", Map.of(), settings.lrs()));
        }
        ctx.log().printf(Locale.ROOT, "  frontier: %d arms × %d learning rates × %d seeds, then %d more β of DPO%n",
                swept.size(), settings.lrs().size(), labs.size(), settings.dpoBetas().size() - 1);
        for (Arm a : swept) {
            a.submit(labs, ctx.sweepSeeds(), (lab, v) -> spec(lab, "frontier", v));
        }
        int nMax = settings.bestOfN().isEmpty() ? 0 : settings.bestOfN().get(settings.bestOfN().size() - 1);
        List<CompletableFuture<double[][]>> bon = new ArrayList<>();
        if (nMax > 0) {
            for (LanguageLab lab : labs) {
                bon.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return lab.bestOfNRewards(nMax);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, ctx.executor()));
            }
        }
        double lr = primary.chosen().lr();
        List<Arm> arms = new ArrayList<>();
        for (double beta : settings.dpoBetas()) {
            arms.add(beta == settings.primaryBeta() ? primary : Arm.of(dpoArm(beta), "dpo", Map.of("beta", beta),
                    List.of(lr)).submit(labs, ctx.sweepSeeds(), (lab, v) -> spec(lab, "frontier", v)));
        }
        arms.addAll(swept.subList(1, swept.size()));
        Arm.resolveAll(arms);
        List<double[][]> bestOfN = bon.stream().map(BenchContext::join).toList();
        return report(ctx, labs, arms, bestOfN, (System.nanoTime() - start) / 1e9);
    }

    private RunSpec spec(LanguageLab lab, String prefix, Arm.Variant v) {
        return RunSpec.of(prefix + "-" + v.objective().get("id").asText(), DATA, v.objective(), v.lr(),
                settings.steps(), settings.evalEvery());
    }

    private ScenarioReport report(BenchContext ctx, List<LanguageLab> labs, List<Arm> arms, List<double[][]> bestOfN,
            double seconds) {
        Rules rules = new Rules(settings.rules());
        Arm primary = arms.stream().filter(a -> a.name().equals(dpoArm(settings.primaryBeta()))).findFirst()
                .orElse(null);
        Arm pft = arms.stream().filter(a -> a.name().equals("preferred-ft")).findFirst().orElse(null);
        double ref = labs.isEmpty() ? Double.NaN : arms.get(0).runs().stream().mapToDouble(r -> r.first().reward())
                .average().orElse(Double.NaN);

        // Rule 1: the β sweep, at the primary arm's learning rate.
        List<List<String>> betaRows = new ArrayList<>();
        List<Arm> dpoArms = arms.stream().filter(a -> a.name().startsWith("dpo β=")).toList();
        double commonLr = primary != null ? primary.chosen().lr() : settings.lrs().get(0);
        List<List<Run>> atCommon = new ArrayList<>();
        for (Arm a : dpoArms) {
            Arm.Variant v = a.variants().stream().filter(x -> x.lr() == commonLr).findFirst().orElse(a.chosen());
            List<Run> runs = a.runs(v);
            atCommon.add(runs);
            betaRows.add(List.of(a.name(), String.format(Locale.ROOT, "%.0e", v.lr()),
                    Fmt.over(runs, Run::finalKl).format(2), Fmt.over(runs, r -> r.last().reward()).format(3)));
        }
        if (dpoArms.size() < 2) {
            rules.missing("beta_sweep", "fewer than two DPO β values", true);
        }
        for (int i = 0; i + 1 < dpoArms.size(); i++) {
            Matched.Comparison c = Matched.atEnd(atCommon.get(i), atCommon.get(i + 1), Run::finalKl);
            rules.apply("beta_sweep", "final KL (fitted), " + dpoArms.get(i).name() + " − " + dpoArms.get(i + 1).name()
                    + String.format(Locale.ROOT, " at lr %.0e", commonLr), c.delta(), true, 2);
        }

        // Rule 2: DPO vs Preferred-FT at matched KL.
        Matched.Comparison vsPft = null;
        if (primary == null || pft == null) {
            rules.missing("vs_preferred_ft", "needs the primary DPO arm and preferred_ft", true);
        } else {
            vsPft = Matched.atKl(primary.runs(), pft.runs(), Run.Eval::reward);
            rules.apply("vs_preferred_ft", "true reward at matched KL, " + primary.name() + " − Preferred-FT",
                    vsPft.delta(), true, 3);
        }

        // Rule 3: DPO vs best-of-N at matched KL.
        int[] ns = settings.bestOfN().stream().mapToInt(Integer::intValue).toArray();
        List<List<String>> bonRows = new ArrayList<>();
        for (int n : ns) {
            double[] perSeed = bestOfN.stream().mapToDouble(r -> BestOfN.meanBest(r, n)).toArray();
            bonRows.add(List.of(Integer.toString(n), Fmt.f3(BestOfN.kl(n)), TInterval.mean(perSeed).format(3)));
        }
        Matched.Comparison vsBon = null;
        if (primary == null || bestOfN.isEmpty()) {
            rules.missing("vs_best_of_n", "needs the primary DPO arm and best_of_n", true);
        } else {
            int s = labs.size();
            double[] d = new double[s];
            double[] b = new double[s];
            double[] budgets = new double[s];
            for (int i = 0; i < s; i++) {
                Run r = primary.runs().get(i);
                double budget = Math.min(r.finalKl(), BestOfN.kl(ns[ns.length - 1]));
                budgets[i] = budget;
                d[i] = r.atKl(budget, Run.Eval::reward);
                double[] means = new double[ns.length];
                for (int k = 0; k < ns.length; k++) {
                    means[k] = BestOfN.meanBest(bestOfN.get(i), ns[k]);
                }
                b[i] = BestOfN.rewardAtKl(ns, means, budget);
            }
            vsBon = new Matched.Comparison(d, b, budgets, TInterval.paired(d, b));
            rules.apply("vs_best_of_n", "true reward at matched KL (≤ best-of-" + ns[ns.length - 1] + "'s "
                    + Fmt.f2(BestOfN.kl(ns[ns.length - 1])) + " nats), " + primary.name() + " − best-of-N",
                    vsBon.delta(), true, 3);
        }

        // End-of-training table, with each arm against the primary DPO arm at matched KL.
        List<List<String>> table = new ArrayList<>();
        for (Arm a : arms) {
            List<Run> runs = a.runs();
            String vsDpo = primary == null || a == primary ? "—"
                    : Matched.atKl(a.runs(), primary.runs(), Run.Eval::reward).delta().formatSigned(3);
            Interval acc = Fmt.over(runs, r -> r.last().accuracy());
            table.add(Fmt.withCosts(runs, a.name(), a.chosen().label(), Fmt.over(runs, r -> r.last().reward()).format(3),
                    Fmt.over(runs, r -> r.last().reward() - r.first().reward()).format(3),
                    Fmt.over(runs, Run::finalKl).format(2), vsDpo, Double.isNaN(acc.mean()) ? "n/a" : acc.format(2)));
        }

        // Charts: seed-mean paths on a log KL axis, and every evaluation; points the log axis cannot show are listed.
        List<Chart.Series> paths = new ArrayList<>();
        List<Chart.Series> points = new ArrayList<>();
        List<List<String>> hidden = new ArrayList<>();
        for (Arm a : arms) {
            List<Run> runs = a.runs();
            int n = runs.stream().mapToInt(r -> r.evals().size()).min().orElse(0);
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                final int k = i;
                x[i] = runs.stream().mapToDouble(r -> r.klFit()[k]).average().orElse(Double.NaN);
                y[i] = runs.stream().mapToDouble(r -> r.evals().get(k).reward()).average().orElse(Double.NaN);
            }
            paths.add(Chart.Series.of(a.name(), x, y));
            List<double[]> pts = new ArrayList<>();
            for (Run r : runs) {
                for (Run.Eval e : r.evals()) {
                    if (e.step() == 0) {
                        continue;
                    }
                    if (!(e.kl() > 0)) {
                        hidden.add(List.of(a.name(), Long.toString(r.seed()), Long.toString(e.step()), Fmt.f3(e.kl()),
                                Fmt.f3(e.reward()), "KL estimate ≤ 0 (a log axis cannot show it)"));
                        continue;
                    }
                    pts.add(new double[] {e.kl(), e.reward()});
                }
            }
            points.add(Chart.Series.of(a.name(), pts.stream().mapToDouble(p -> p[0]).toArray(),
                    pts.stream().mapToDouble(p -> p[1]).toArray()));
        }
        if (ns.length > 0) {
            double[] x = new double[ns.length];
            double[] y = new double[ns.length];
            for (int k = 0; k < ns.length; k++) {
                final int n = ns[k];
                x[k] = BestOfN.kl(n);
                y[k] = bestOfN.stream().mapToDouble(r -> BestOfN.meanBest(r, n)).average().orElse(Double.NaN);
            }
            paths.add(Chart.Series.of("best-of-N (N ≥ 2)", x, y));
            points.add(Chart.Series.of("best-of-N (N ≥ 2)", x, y));
        }
        List<Chart> charts = List.of(
                new Chart("frontier", String.format(Locale.ROOT, "Reward–KL frontier: seed-mean path of each arm "
                        + "(π_ref: KL 0, reward %.3f)", ref), "KL(π‖π_ref), nats", "mean true reward (test prompts)",
                        false, true, paths),
                new Chart("frontier-points", "Every evaluation of every run (chosen variants)", "KL(π‖π_ref), nats",
                        "mean true reward (test prompts)", true, true, points));

        List<Table> tables = new ArrayList<>();
        tables.add(new Table("End of training (chosen variant of each arm; mean and 95% t-interval over "
                + labs.size() + " seeds; Δ vs " + (primary == null ? "dpo" : primary.name())
                + ": paired by seed, at matched KL)", Fmt.withCosts("arm", "chosen variant", "true reward",
                        "gain over π_ref", "KL(π‖π_ref) (fitted)", "Δ reward vs DPO at matched KL", "held-out accuracy"),
                table));
        tables.add(new Table("β sweep of DPO at a common learning rate (the final KL must fall as β rises)",
                List.of("arm", "lr", "final KL (fitted)", "true reward at end"), betaRows));
        if (!bonRows.isEmpty()) {
            tables.add(new Table("Best-of-N from π_ref on the test prompts (KL exact: log N − (N−1)/N)",
                    List.of("N", "KL, nats", "mean best true reward"), bonRows));
        }
        tables.add(Fmt.sweep("frontier", arms));
        if (!hidden.isEmpty()) {
            tables.add(new Table("Points not drawn on the log-KL plots", List.of("arm", "seed", "step", "KL estimate",
                    "reward", "why"), hidden));
        }

        Verdict verdict = rules.verdict();
        StringBuilder reason = new StringBuilder();
        if (primary != null) {
            reason.append(String.format(Locale.ROOT, "%s (lr %.0e) ends at KL %s with reward %s (π_ref %.3f)",
                    primary.name(), primary.chosen().lr(), Fmt.over(primary.runs(), Run::finalKl).format(2),
                    Fmt.over(primary.runs(), r -> r.last().reward()).format(3), ref));
        }
        if (vsPft != null) {
            reason.append(String.format(Locale.ROOT, "; vs Preferred-FT at matched KL (%.2f nats) Δ = %s",
                    vsPft.meanBudget(), vsPft.delta().formatSigned(3)));
        }
        if (vsBon != null) {
            reason.append(String.format(Locale.ROOT, "; vs best-of-N at %.2f nats Δ = %s", vsBon.meanBudget(),
                    vsBon.delta().formatSigned(3)));
        }
        if (!dpoArms.isEmpty()) {
            reason.append("; final KL by β: ");
            for (int i = 0; i < dpoArms.size(); i++) {
                reason.append(i == 0 ? "" : ", ").append(dpoArms.get(i).name().substring(4)).append(": ")
                        .append(Fmt.f2(atCommon.get(i).stream().mapToDouble(Run::finalKl).average().orElse(Double.NaN)));
            }
        }
        reason.append('.');
        List<String> design = design(labs);
        return new ScenarioReport("reward_kl_frontier", "Reward–KL frontier (DPO, Rafailov et al. 2023, Fig. 2)",
                "DPO trades true reward against KL(π‖π_ref) better than the paper's baselines — Preferred-FT and "
                        + "best-of-N sampling — and β controls the trade: the final KL falls as β rises.",
                design, rules.printed(), verdict, reason.toString(), tables, charts, Fmt.rows("reward_kl_frontier", arms),
                seconds);
    }

    private List<String> design(List<LanguageLab> labs) {
        LanguageLab.Settings lab = settings.lab();
        double pairs = labs.stream().mapToInt(l -> l.preferences(DATA, l.bradleyTerry()).train().size()).average()
                .orElse(Double.NaN);
        List<String> d = new ArrayList<>();
        d.add(String.format(Locale.ROOT, "Data: %.0f pairs per seed on %d training prompts, sampled from π_ref and "
                + "labelled by Bradley–Terry on the true reward (α = %s); %d validation and %d test prompts.", pairs,
                lab.trainPrompts(), lab.bradleyTerryScale(), lab.validationPrompts(), lab.evalPrompts()));
        d.add(String.format(Locale.ROOT, "Budget: every arm %d steps of %d pairs from π_ref (equal steps and "
                + "examples), evaluated every %d steps.", settings.steps(), lab.batchSize(), settings.evalEvery()));
        d.add("Sweep: every arm over lr ∈ " + settings.lrs() + "; the variant with the highest mean validation reward "
                + "at the end is kept. The other β of DPO run at the primary DPO arm's chosen learning rate (the β "
                + "sweep is read at one learning rate).");
        d.add("Baselines: Preferred-FT (NLL of the chosen responses, same steps and pairs); best-of-N from π_ref for "
                + "N ∈ " + settings.bestOfN() + " on the test prompts, KL = log N − (N−1)/N exactly, reward interpolated "
                + "linearly in KL between the N.");
        d.add("Statistics: " + labs.size() + " seeds; each seed's arms share its data, π_ref and evaluation prompts; "
                + "intervals are 95% t-intervals over seeds, comparisons paired by seed. Matched KL: each run's KL "
                + "estimates are fitted by isotonic regression over steps; per seed the budget is the smaller fitted "
                + "final KL of the two arms, and each reads its reward where its fitted path first reaches it.");
        return d;
    }
}
