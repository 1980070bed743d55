package io.dpo4j.bench.scenario;

import io.dpo4j.bench.lab.LanguageLab;
import io.dpo4j.bench.lab.Run;
import io.dpo4j.bench.stats.Bootstrap;
import io.dpo4j.bench.stats.RankTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * <b>Single stage</b> (Hong et al. 2024, ORPO): ORPO trained from the un-warmed base model on the
 * preference pairs alone, against the two-stage pipeline — supervised warm-up, then DPO. Claim: one
 * ORPO stage reaches the preference alignment of SFT followed by DPO. Verdict: reproduced when
 * ORPO's final true reward is within {@code tolerance} of (or above) the two-stage pipeline's.
 */
public final class SingleStageScenario {

    /**
     * Settings.
     *
     * @param lab the protocol's sizes
     * @param orpoParams ORPO's parameters
     * @param orpoSteps ORPO's steps (it must also learn the language)
     * @param dpoParams DPO's parameters
     * @param dpoSteps DPO's steps after the warm-up
     * @param evalEvery steps between evaluations
     * @param tolerance how much lower ORPO's reward may be and still count as matching
     */
    public record Settings(LanguageLab.Settings lab, Map<String, Object> orpoParams, int orpoSteps,
            Map<String, Object> dpoParams, int dpoSteps, int evalEvery, double tolerance) {
    }

    private final Settings settings;

    public SingleStageScenario(Settings settings) {
        this.settings = settings;
    }

    /** Runs both pipelines over every seed. */
    public ScenarioReport run(BenchContext ctx) {
        long start = System.nanoTime();
        Cells cells = new Cells();
        String orpoCell = "orpo from the base model (one stage)";
        String dpoCell = "sft warm-up, then dpo (two stages)";
        try {
            for (long seed : ctx.seeds()) {
                LanguageLab lab = LanguageLab.open(ctx, seed, settings.lab());
                LanguageLab.Preferences data = lab.preferences("bradley-terry", lab.bradleyTerry());
                ctx.log().printf(Locale.ROOT, "  single stage: seed %d, orpo from base and sft + dpo%n", seed);
                Run orpo = lab.train("single-orpo", lab.base(), data.data(), LanguageLab.objective("orpo",
                        settings.orpoParams()), settings.orpoSteps(), settings.evalEvery());
                Run dpo = lab.train("single-dpo", lab.reference(), data.data(), LanguageLab.objective("dpo",
                        settings.dpoParams()), settings.dpoSteps(), settings.evalEvery());
                lab.scoreKl(List.of(orpo, dpo));
                cells.add(orpoCell, orpo);
                cells.add(dpoCell, dpo);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Bootstrap.Interval orpo = cells.interval(orpoCell, r -> r.last().reward());
        Bootstrap.Interval dpo = cells.interval(dpoCell, r -> r.last().reward());
        RankTest.Result t = RankTest.mannWhitney(cells.values(orpoCell, r -> r.last().reward()),
                cells.values(dpoCell, r -> r.last().reward()));
        List<List<String>> table = new ArrayList<>();
        List<java.util.Map<String, Object>> rows = new ArrayList<>();
        for (String cell : List.of(orpoCell, dpoCell)) {
            List<String> row = new ArrayList<>(List.of(cell, cells.interval(cell, r -> r.first().reward()).format(3),
                    cells.interval(cell, r -> r.last().reward()).format(3),
                    cells.interval(cell, r -> r.last().length()).format(1),
                    cells.interval(cell, r -> r.last().kl()).format(2)));
            row.addAll(cells.costs(cell));
            table.add(row);
            cells.runs(cell).forEach(r -> rows.add(r.row("single_stage", cell)));
        }
        boolean matches = orpo.mean() >= dpo.mean() - settings.tolerance();
        Verdict verdict = matches ? Verdict.REPRODUCED : Verdict.NOT_REPRODUCED;
        String reason = String.format(Locale.ROOT, "final true reward: ORPO in one stage %s, SFT + DPO %s (tolerance "
                + "%.2f; Mann–Whitney p = %.3f).", orpo.format(3), dpo.format(3), settings.tolerance(), t.p());
        List<Chart.Series> series = List.of(cells.trajectory(orpoCell, Run.Eval::reward),
                cells.trajectory(dpoCell, Run.Eval::reward));
        return new ScenarioReport("single_stage", "Single stage (ORPO, Hong et al. 2024)",
                "ORPO from the base model, in one stage, reaches the alignment of supervised warm-up followed by DPO.",
                verdict, reason, List.of(new Table("Start and end of training (mean and 95% CI over seeds; KL to the "
                        + "warmed-up reference, which ORPO never sees)", List.of("pipeline", "true reward at start",
                        "true reward at end", "sampled length at end", "KL to π_ref at end", "wall time", "tokens/s",
                        "peak RSS"), table)),
                List.of(new Chart("reward", "True reward of samples over training (95% CI over seeds)",
                        "training step", "mean true reward", false, series)), rows, (System.nanoTime() - start) / 1e9);
    }
}
