package io.dpo4j.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.bench.lab.LanguageLab;
import io.dpo4j.bench.lab.Run;
import io.dpo4j.bench.stats.Bootstrap;
import io.dpo4j.bench.stats.RankTest;
import io.dpo4j.core.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static final ObjectMapper JSON = new ObjectMapper();

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
                Path[] pairs = lab.preferences("bradley-terry", lab.bradleyTerry());
                Path[] split = imbalanced(pairs, seed, counts);
                Map<String, Object> kto = new LinkedHashMap<>();
                kto.put("desirable_weight", settings.desirableWeight());
                ctx.log().printf(Locale.ROOT, "  unpaired: seed %d, kto and dpo%n", seed);
                Run k = lab.train("unpaired-kto", lab.reference(), new Path[] {split[0], pairs[1]},
                        LanguageLab.objective("kto", kto), settings.steps(), settings.evalEvery(), List.of());
                Run d = lab.train("unpaired-dpo", lab.reference(), new Path[] {split[1], pairs[1]},
                        LanguageLab.objective("dpo", settings.dpoParams()), settings.steps(), settings.evalEvery(),
                        List.of());
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

    /** {unpaired KTO file, DPO file of surviving pairs}; counts += {desirable, undesirable, pairs}. */
    private Path[] imbalanced(Path[] pairs, long seed, int[] counts) throws IOException {
        Random rng = new Random(seed * 977 + 13);
        StringBuilder unpaired = new StringBuilder();
        StringBuilder kept = new StringBuilder();
        List<String> lines = Files.readAllLines(pairs[0]);
        // At least one desirable example survives, so both methods have something to learn from.
        int forced = rng.nextInt(Math.max(1, lines.size()));
        boolean anyKept = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            JsonNode row = JSON.readTree(line);
            String prompt = row.get("prompt").asText();
            boolean keep = rng.nextDouble() < settings.keepDesirable() || (!anyKept && i == lines.size() - 1)
                    || (i == forced && settings.keepDesirable() > 0 && lines.size() * settings.keepDesirable() < 1);
            anyKept |= keep;
            if (keep) {
                unpaired.append(JSON.writeValueAsString(Map.of("prompt", prompt, "completion", row.get("chosen").asText(),
                        "label", true))).append('\n');
                kept.append(line).append('\n');
                counts[0]++;
                counts[2]++;
            }
            unpaired.append(JSON.writeValueAsString(Map.of("prompt", prompt, "completion", row.get("rejected").asText(),
                    "label", false))).append('\n');
            counts[1]++;
        }
        Path dir = pairs[0].getParent();
        Path u = dir.resolve("imbalanced-" + seed + "-unpaired.jsonl");
        Path p = dir.resolve("imbalanced-" + seed + "-pairs.jsonl");
        AtomicFiles.writeString(u, unpaired.toString());
        AtomicFiles.writeString(p, kept.toString());
        return new Path[] {u, p};
    }
}
