package io.dpo4j.bench.scenario;

import io.dpo4j.bench.lab.LanguageLab;
import io.dpo4j.bench.lab.Run;
import io.dpo4j.bench.stats.Bootstrap;
import io.dpo4j.bench.stats.RankTest;
import io.dpo4j.core.data.Content;
import io.dpo4j.core.data.PairedExample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * <b>Length bias</b> (the background chapter's §10; Meng et al. 2024, SimPO): preference data in
 * which the chosen response is longer on average (labels from the true reward plus a bonus per
 * token), and the mean length of responses sampled on held-out prompts over training. Claim: length
 * grows under DPO, much less under SimPO. Verdict: reproduced when DPO's length gain is positive
 * (95% bootstrap interval above zero) and SimPO's is at most half of DPO's.
 */
public final class LengthBiasScenario {

    /**
     * Settings.
     *
     * @param lab the protocol's sizes
     * @param perToken the labelling bonus per response token (in reward units)
     * @param objectives objective id → parameters (one cell each)
     * @param steps training steps per run
     * @param evalEvery steps between evaluations
     */
    public record Settings(LanguageLab.Settings lab, double perToken, Map<String, Map<String, Object>> objectives,
            int steps, int evalEvery) {
    }

    private final Settings settings;

    public LengthBiasScenario(Settings settings) {
        this.settings = settings;
    }

    /** Runs every objective over every seed. */
    public ScenarioReport run(BenchContext ctx) {
        long start = System.nanoTime();
        Cells cells = new Cells();
        double chosenMinusRejected = 0;
        try {
            for (long seed : ctx.seeds()) {
                LanguageLab lab = LanguageLab.open(ctx, seed, settings.lab());
                LanguageLab.Preferences data = lab.preferences(String.format(Locale.ROOT, "length-%.3f", settings.perToken()),
                        lab.lengthBiased(settings.perToken()));
                chosenMinusRejected += lengthGap(data.train()) / ctx.seeds().size();
                List<Run> runs = new ArrayList<>();
                for (Map.Entry<String, Map<String, Object>> e : settings.objectives().entrySet()) {
                    ctx.log().printf(Locale.ROOT, "  length bias: seed %d, %s%n", seed, e.getKey());
                    Run r = lab.train("length-" + e.getKey(), lab.reference(), data.data(),
                            LanguageLab.objective(e.getKey(), e.getValue()), settings.steps(), settings.evalEvery());
                    runs.add(r);
                    cells.add(e.getKey(), r);
                }
                lab.scoreKl(runs);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Length at matched KL: per seed, where each run's KL first reaches the smallest final KL.
        Map<String, double[]> matched = new LinkedHashMap<>();
        for (String cell : cells.all().keySet()) {
            matched.put(cell, new double[cells.runs(cell).size()]);
        }
        for (int s = 0; s < ctx.seeds().size(); s++) {
            final int seedIndex = s;
            double budget = cells.all().values().stream().mapToDouble(rs -> rs.get(seedIndex).last().kl()).min()
                    .orElse(Double.NaN);
            for (String cell : cells.all().keySet()) {
                matched.get(cell)[s] = cells.runs(cell).get(s).atKl(budget, Run.Eval::length);
            }
        }
        List<List<String>> table = new ArrayList<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Bootstrap.Interval> gains = new LinkedHashMap<>();
        for (String cell : cells.all().keySet()) {
            Bootstrap.Interval gain = cells.interval(cell, r -> r.last().length() - r.first().length());
            gains.put(cell, gain);
            List<String> row = new ArrayList<>(List.of(cell, Cells.f1(cells.interval(cell, r -> r.first().length())
                    .mean()), cells.interval(cell, r -> r.last().length()).format(1), gain.format(1),
                    Bootstrap.mean(matched.get(cell), 41).format(1),
                    cells.interval(cell, r -> r.last().reward()).format(3),
                    cells.interval(cell, r -> r.last().kl()).format(2)));
            row.addAll(cells.costs(cell));
            table.add(row);
            cells.runs(cell).forEach(r -> rows.add(r.row("length_bias", cell)));
        }
        List<Chart.Series> series = new ArrayList<>();
        for (String cell : cells.all().keySet()) {
            series.add(cells.trajectory(cell, Run.Eval::length));
        }
        Verdict verdict = Verdict.INCONCLUSIVE;
        String reason = "needs both dpo and simpo in the suite";
        List<Table> tables = new ArrayList<>();
        tables.add(new Table(String.format(Locale.ROOT, "Sampled response length (tokens; mean and 95%% CI over %d seeds); "
                + "in the training data the chosen response is %.2f tokens longer than the rejected one on average",
                ctx.seeds().size(), chosenMinusRejected), List.of("objective", "length at start", "length at end",
                        "gain", "length at matched KL", "true reward at end", "KL at end", "wall time", "tokens/s",
                        "peak RSS"), table));
        if (gains.containsKey("dpo") && gains.containsKey("simpo")) {
            Bootstrap.Interval dpo = gains.get("dpo");
            Bootstrap.Interval simpo = gains.get("simpo");
            RankTest.Result t = RankTest.mannWhitney(cells.values("dpo", r -> r.last().length() - r.first().length()),
                    cells.values("simpo", r -> r.last().length() - r.first().length()));
            boolean grows = dpo.low() > 0;
            boolean muchLess = simpo.mean() <= dpo.mean() / 2;
            verdict = grows && muchLess ? Verdict.REPRODUCED : Verdict.NOT_REPRODUCED;
            reason = String.format(Locale.ROOT, "length gain under DPO %s tokens (%s), under SimPO %s (%s half of "
                    + "DPO's); Mann–Whitney p = %.3f. At matched KL the lengths are %.1f (DPO) and %.1f (SimPO).",
                    dpo.format(1), grows ? "grows" : "does not clearly grow", simpo.format(1),
                    muchLess ? "at most" : "more than", t.p(), Bootstrap.mean(matched.get("dpo"), 1).mean(),
                    Bootstrap.mean(matched.get("simpo"), 1).mean());
            tables.add(new Table("Mann–Whitney U test of the length gain per seed", List.of("comparison", "U", "p"),
                    List.of(List.of("dpo vs simpo", Cells.f1(t.u()), Cells.f3(t.p())))));
        }
        return new ScenarioReport("length_bias", "Length bias (the chapter's §10; SimPO, Meng et al. 2024)",
                "When chosen responses are longer on average, the sampled length grows under DPO, much less under "
                        + "SimPO (length-normalised).", verdict, reason, tables,
                List.of(new Chart("length", "Mean length of sampled responses (95% CI over seeds)", "training step",
                        "tokens", false, series)), rows, (System.nanoTime() - start) / 1e9);
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
