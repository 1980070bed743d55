package io.dpo4j.bench.scenario;

import io.dpo4j.bench.lab.LanguageLab;
import io.dpo4j.bench.lab.Run;
import io.dpo4j.bench.lab.RunSpec;
import io.dpo4j.core.data.UnpairedExample;
import io.dpo4j.train.TrainingData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * <b>Unpaired and imbalanced feedback</b> (Ethayarajh et al. 2024, KTO): the frontier's pairs are
 * unpaired (chosen → desirable, rejected → undesirable) and all but {@code keep_desirable} of the
 * desirable examples dropped; KTO (λD ≈ 10, β swept with the learning rate) trains on what is left.
 * It is compared, in true reward at matched KL and paired by seed, with DPO on <b>all</b> the pairs
 * (the paper's baseline), DPO on the pairs whose chosen response survived, and KTO on the balanced
 * data (every example, λD = 1: the control). Verdict rule (suite key): {@code vs_dpo_all} —
 * KTO-imbalanced is not worse than DPO on all pairs by more than the margin; {@code vs_dpo_surviving}
 * and {@code vs_balanced} are reported.
 */
public final class UnpairedImbalanceScenario {

    /**
     * Settings.
     *
     * @param lab the protocol's sizes
     * @param lrs the learning rates every arm is swept over
     * @param keepDesirable the fraction of desirable examples kept (0.1)
     * @param desirableWeight KTO's λD on the imbalanced data
     * @param ktoBetas KTO-imbalanced's β sweep (with the learning rates, chosen on validation reward)
     * @param balancedBetas balanced KTO's β sweep
     * @param dpoParams DPO's parameters
     * @param steps training steps
     * @param evalEvery steps between evaluations
     * @param rules {@code vs_dpo_all}, {@code vs_dpo_surviving}, {@code vs_balanced}
     */
    public record Settings(LanguageLab.Settings lab, List<Double> lrs, double keepDesirable, double desirableWeight,
            List<Double> ktoBetas, List<Double> balancedBetas, Map<String, Object> dpoParams, int steps, int evalEvery,
            Map<String, MarginRule.Spec> rules) {
    }

    private final Settings settings;

    public UnpairedImbalanceScenario(Settings settings) {
        this.settings = settings;
    }

    /** Runs the four arms over every seed. */
    public ScenarioReport run(BenchContext ctx) {
        long start = System.nanoTime();
        List<LanguageLab> labs = LanguageLab.openAll(ctx, settings.lab());
        String bt = RewardKlFrontierScenario.DATA;
        String imbalanced = recipe("unpaired-keep");
        String surviving = recipe("surviving");
        List<Map<String, Object>> imbalancedSets = new ArrayList<>();
        List<Map<String, Object>> balancedSets = new ArrayList<>();
        for (double beta : settings.ktoBetas()) {
            imbalancedSets.add(Map.of("beta", beta, "desirable_weight", settings.desirableWeight()));
        }
        for (double beta : settings.balancedBetas()) {
            balancedSets.add(Map.of("beta", beta));
        }
        Arm kto = Arm.of("kto, imbalanced", "kto", imbalancedSets, settings.lrs()).submit(labs, ctx.sweepSeeds(), (lab, v) ->
                RunSpec.of("unpaired-kto", imbalanced, v.objective(), v.lr(), settings.steps(),
                        settings.evalEvery()));
        Arm balanced = Arm.of("kto, balanced (control)", "kto", balancedSets, settings.lrs()).submit(labs, ctx.sweepSeeds(), (lab, v) ->
                RunSpec.of("frontier-kto", bt, v.objective(), v.lr(),
                        settings.steps(), settings.evalEvery()));
        Arm dpoAll = Arm.of("dpo, all pairs", "dpo", settings.dpoParams(), settings.lrs()).submit(labs, ctx.sweepSeeds(), (lab, v) ->
                RunSpec.of("frontier-dpo", bt, v.objective(), v.lr(),
                        settings.steps(), settings.evalEvery()));
        Arm dpoSurviving = Arm.of("dpo, surviving pairs", "dpo", settings.dpoParams(), settings.lrs()).submit(labs, ctx.sweepSeeds(),
                (lab, v) -> RunSpec.of("unpaired-dpo", surviving, v.objective(), v.lr(), settings.steps(),
                        settings.evalEvery()));
        List<Arm> arms = List.of(kto, dpoAll, dpoSurviving, balanced);
        ctx.log().printf(Locale.ROOT, "  unpaired: 4 arms × %d seeds%n", labs.size());
        Arm.resolveAll(arms);
        return report(labs, arms, (System.nanoTime() - start) / 1e9);
    }

    private ScenarioReport report(List<LanguageLab> labs, List<Arm> arms, double seconds) {
        Arm kto = arms.get(0);
        Rules rules = new Rules(settings.rules());
        String[] keys = {null, "vs_dpo_all", "vs_dpo_surviving", "vs_balanced"};
        Map<String, Matched.Comparison> cmp = new LinkedHashMap<>();
        List<List<String>> table = new ArrayList<>();
        for (int i = 0; i < arms.size(); i++) {
            Arm a = arms.get(i);
            List<Run> runs = a.runs();
            String delta = "—";
            if (i > 0) {
                Matched.Comparison c = Matched.atKl(kto.runs(), runs, Run.Eval::reward);
                cmp.put(keys[i], c);
                rules.apply(keys[i], "true reward at matched KL, KTO (imbalanced) − " + a.name(), c.delta(), i == 1, 3);
                delta = c.delta().formatSigned(3) + String.format(Locale.ROOT, " at %.2f nats", c.meanBudget());
            }
            table.add(Fmt.withCosts(runs, a.name(), a.chosen().label(), Fmt.over(runs, r -> r.last().reward()).format(3),
                    Fmt.over(runs, Run::finalKl).format(2), delta));
        }
        int[] counts = counts(labs);
        List<Chart.Series> series = new ArrayList<>();
        for (Arm a : arms) {
            series.add(Fmt.trajectory(a.name(), a.runs(), Run.Eval::reward));
        }
        Matched.Comparison main = cmp.get("vs_dpo_all");
        String reason = String.format(Locale.ROOT, "true reward at matched KL: KTO on %d desirable + %d undesirable "
                + "examples vs DPO on all %d pairs: Δ = %s; vs DPO on the %d surviving pairs Δ = %s; vs balanced KTO "
                + "Δ = %s.", counts[0], counts[1], counts[3], main.delta().formatSigned(3), counts[2],
                cmp.get("vs_dpo_surviving").delta().formatSigned(3), cmp.get("vs_balanced").delta().formatSigned(3));
        List<String> design = List.of(
                String.format(Locale.ROOT, "Data (per seed, mean): the frontier's %d pairs; KTO-imbalanced gets %d "
                        + "desirable (%.0f%% kept) and %d undesirable examples with λD = %s; DPO-surviving the %d pairs "
                        + "whose chosen survived; DPO-all and balanced KTO (λD = 1) every pair.", counts[3], counts[0],
                        settings.keepDesirable() * 100, counts[1], settings.desirableWeight(), counts[2]),
                String.format(Locale.ROOT, "Budget: every arm %d steps of %d examples (pairs for DPO, single "
                        + "responses for KTO), from π_ref, evaluated every %d steps.", settings.steps(),
                        settings.lab().batchSize(), settings.evalEvery()),
                "Sweep: every arm over lr ∈ " + settings.lrs() + "; KTO-imbalanced also over β ∈ " + settings.ktoBetas() + ", balanced KTO over β ∈ " + settings.balancedBetas()
                        + "; chosen on validation reward.",
                "Statistics: paired by seed at matched KL (isotonic KL paths, the smaller final KL of the two); 95% "
                        + "paired t-intervals over " + labs.size() + " seeds.");
        return new ScenarioReport("unpaired_imbalanced", "Unpaired and imbalanced feedback (KTO, Ethayarajh et al. 2024)",
                "With unpaired data and 90% of the desirable examples dropped, KTO (λD ≈ 10) matches or beats DPO "
                        + "trained on all the pairs, in true reward at matched KL.", design, rules.printed(),
                rules.verdict(), reason, List.of(new Table("True reward on the test prompts (chosen variants; mean "
                        + "and 95% t-interval over seeds)", Fmt.withCosts("arm", "chosen variant", "reward at end",
                                "KL at end (fitted)", "Δ: KTO-imbalanced − arm, at matched KL"), table),
                        Fmt.sweep("unpaired", arms)),
                List.of(new Chart("reward", "True reward over training (95% t-band over seeds)", "training step",
                        "mean true reward", false, series)), Fmt.rows("unpaired_imbalanced", arms), seconds);
    }

    /** Mean counts over seeds: {desirable kept, undesirable, surviving pairs, all pairs}. */
    private int[] counts(List<LanguageLab> labs) {
        long[] sum = new long[4];
        for (LanguageLab lab : labs) {
            TrainingData[] s = {lab.examples(recipe("unpaired-keep")), lab.examples(recipe("surviving"))};
            long desirable = s[0].train().stream().filter(x -> ((UnpairedExample) x).desirable()).count();
            sum[0] += desirable;
            sum[1] += s[0].train().size() - desirable;
            sum[2] += s[1].train().size();
            sum[3] += lab.preferences(RewardKlFrontierScenario.DATA, lab.bradleyTerry()).train().size();
        }
        int n = Math.max(1, labs.size());
        return new int[] {(int) (sum[0] / n), (int) (sum[1] / n), (int) (sum[2] / n), (int) (sum[3] / n)};
    }

    private String recipe(String kind) {
        return String.format(Locale.ROOT, "%s/%s-%.3f", RewardKlFrontierScenario.DATA, kind, settings.keepDesirable());
    }
}
