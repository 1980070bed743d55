package io.dpo4j.bench.scenario;

import io.dpo4j.bench.lab.LanguageLab;
import io.dpo4j.bench.lab.Run;
import io.dpo4j.bench.stats.Bootstrap;
import io.dpo4j.bench.stats.RankTest;
import io.dpo4j.core.data.PairedExample;
import io.dpo4j.core.data.UnpairedExample;
import io.dpo4j.train.TrainingData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * <b>Unpaired and imbalanced feedback</b> (Ethayarajh et al. 2024, KTO): the preference pairs are
 * unpaired (chosen → desirable, rejected → undesirable) and 90% of the desirable examples are
 * dropped. KTO with λD ≈ 10 trains on what is left; DPO trains on the pairs whose chosen response
 * survived. Claim: KTO matches or beats DPO in true reward at matched KL. The comparison: each run's
 * reward where its KL first reaches the budget both reach (the smaller of their final KLs, per seed),
 * interpolated between evaluations. Verdict: reproduced when KTO's mean is at least DPO's.
 */
public final class UnpairedImbalanceScenario {

    /**
     * Settings.
     *
     * @param lab the protocol's sizes
     * @param keepDesirable the fraction of desirable examples kept (0.1)
     * @param desirableWeight KTO's λD
     * @param dpoParams DPO's parameters
     * @param steps training steps
     * @param evalEvery steps between evaluations
     */
    public record Settings(LanguageLab.Settings lab, double keepDesirable, double desirableWeight,
            Map<String, Object> dpoParams, int steps, int evalEvery) {
    }

    private final Settings settings;

    public UnpairedImbalanceScenario(Settings settings) {
        this.settings = settings;
    }

    /** Runs KTO and DPO over every seed. */
    public ScenarioReport run(BenchContext ctx) {
        long start = System.nanoTime();
        Cells cells = new Cells();
        List<Double> ktoAtMatched = new ArrayList<>();
        List<Double> dpoAtMatched = new ArrayList<>();
        int[] counts = new int[3];
        try {
            for (long seed : ctx.seeds()) {
                LanguageLab lab = LanguageLab.open(ctx, seed, settings.lab());
                LanguageLab.Preferences pairs = lab.preferences("bradley-terry", lab.bradleyTerry());
                TrainingData[] split = imbalanced(pairs, seed, counts);
                Map<String, Object> kto = new LinkedHashMap<>();
                kto.put("desirable_weight", settings.desirableWeight());
                ctx.log().printf(Locale.ROOT, "  unpaired: seed %d, kto and dpo%n", seed);
                Run k = lab.train("unpaired-kto", lab.reference(), split[0], LanguageLab.objective("kto", kto),
                        settings.steps(), settings.evalEvery());
                Run d = lab.train("unpaired-dpo", lab.reference(), split[1],
                        LanguageLab.objective("dpo", settings.dpoParams()), settings.steps(), settings.evalEvery());
                lab.scoreKl(List.of(k, d));
                cells.add("kto (λD=" + settings.desirableWeight() + ", 10% desirable kept)", k);
                cells.add("dpo (pairs that remain)", d);
                double budget = Math.min(k.last().kl(), d.last().kl());
                ktoAtMatched.add(k.atKl(budget, Run.Eval::reward));
                dpoAtMatched.add(d.atKl(budget, Run.Eval::reward));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double[] kv = ktoAtMatched.stream().mapToDouble(Double::doubleValue).toArray();
        double[] dv = dpoAtMatched.stream().mapToDouble(Double::doubleValue).toArray();
        Bootstrap.Interval kci = Bootstrap.mean(kv, 3);
        Bootstrap.Interval dci = Bootstrap.mean(dv, 5);
        RankTest.Result t = RankTest.mannWhitney(kv, dv);
        List<List<String>> table = new ArrayList<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> names = new ArrayList<>(cells.all().keySet());
        Bootstrap.Interval[] matched = {kci, dci};
        for (int i = 0; i < names.size(); i++) {
            String cell = names.get(i);
            List<String> row = new ArrayList<>(List.of(cell, matched[i].format(3),
                    cells.interval(cell, r -> r.last().reward()).format(3),
                    cells.interval(cell, r -> r.last().kl()).format(2)));
            row.addAll(cells.costs(cell));
            table.add(row);
            cells.runs(cell).forEach(r -> rows.add(r.row("unpaired_imbalanced", cell)));
        }
        List<Chart.Series> series = new ArrayList<>();
        for (String cell : names) {
            for (Run r : cells.runs(cell)) {
                series.add(Chart.Series.of(cell + " seed " + r.seed(), r.evals().stream().mapToDouble(Run.Eval::kl)
                        .toArray(), r.evals().stream().mapToDouble(Run.Eval::reward).toArray()));
            }
        }
        Verdict verdict = kci.mean() >= dci.mean() ? Verdict.REPRODUCED : Verdict.NOT_REPRODUCED;
        String reason = String.format(Locale.ROOT, "true reward at the KL both reach (the smaller final KL, interpolated "
                + "along each run): KTO %s, DPO %s "
                + "(Mann–Whitney p = %.3f); data per seed: %d desirable and %d undesirable examples for KTO, %d pairs "
                + "for DPO.", kci.format(3), dci.format(3), t.p(), counts[0] / ctx.seeds().size(),
                counts[1] / ctx.seeds().size(), counts[2] / ctx.seeds().size());
        return new ScenarioReport("unpaired_imbalanced", "Unpaired and imbalanced feedback (KTO, Ethayarajh et al. 2024)",
                "With unpaired data and 90% of the desirable examples dropped, KTO (λD ≈ 10) matches or beats DPO on "
                        + "the pairs that remain, in true reward at matched KL.", verdict, reason,
                List.of(new Table("True reward (mean and 95% CI over seeds)", List.of("run", "reward at matched KL",
                        "reward at end", "KL at end", "wall time", "tokens/s", "peak RSS"), table)),
                List.of(new Chart("trajectories", "Reward and KL at each evaluation", "KL(π‖π_ref), nats",
                        "mean true reward", false, series)), rows, (System.nanoTime() - start) / 1e9);
    }

    /** {unpaired KTO data, DPO data of the surviving pairs}, both with the validation pairs; counts += {desirable, undesirable, pairs}. */
    private TrainingData[] imbalanced(LanguageLab.Preferences pairs, long seed, int[] counts) {
        Random rng = new Random(seed * 977 + 13);
        List<UnpairedExample> unpaired = new ArrayList<>();
        List<PairedExample> kept = new ArrayList<>();
        List<PairedExample> all = pairs.train();
        // At least one desirable example survives, so both methods have something to learn from.
        int forced = rng.nextInt(Math.max(1, all.size()));
        boolean anyKept = false;
        for (int i = 0; i < all.size(); i++) {
            PairedExample pair = all.get(i);
            boolean keep = rng.nextDouble() < settings.keepDesirable() || (!anyKept && i == all.size() - 1)
                    || (i == forced && settings.keepDesirable() > 0 && all.size() * settings.keepDesirable() < 1);
            anyKept |= keep;
            if (keep) {
                unpaired.add(pair.unpair().get(0));
                kept.add(pair);
                counts[0]++;
                counts[2]++;
            }
            unpaired.add(pair.unpair().get(1));
            counts[1]++;
        }
        return new TrainingData[] {TrainingData.of(unpaired, pairs.validation()), TrainingData.of(kept,
                pairs.validation())};
    }
}
