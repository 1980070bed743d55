package io.dpo4j.bench.scenario;

import io.dpo4j.bench.lab.LanguageLab;
import io.dpo4j.bench.lab.Run;
import io.dpo4j.bench.lab.RunSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * <b>Single stage</b> (Hong et al. 2024, ORPO): from π_ref (the "pretrained" model), ORPO for
 * S + D steps on the preference pairs, against the two-stage pipeline — supervised fine-tuning on the
 * chosen responses for S steps, then DPO for D steps from that checkpoint (which is DPO's
 * reference) — with the SFT-only checkpoint as the control. Both pipelines see the same number of
 * optimizer steps and pairs (equal token budgets). Each stage's learning rate is swept and chosen on
 * validation reward (the DPO stage starts from the chosen SFT checkpoint). Verdict rule (suite key):
 * {@code vs_two_stage} — ORPO's final true reward is not below SFT + DPO's by more than the margin;
 * {@code vs_sft_only} is reported.
 */
public final class SingleStageScenario {

    /**
     * Settings.
     *
     * @param lab the protocol's sizes
     * @param lrs the learning rates every stage is swept over
     * @param orpoParams ORPO's parameters
     * @param sftSteps S, the supervised stage's steps
     * @param dpoParams DPO's parameters
     * @param dpoSteps D, the DPO stage's steps (ORPO runs S + D)
     * @param evalEvery steps between evaluations
     * @param rules {@code vs_two_stage}, {@code vs_sft_only}
     */
    public record Settings(LanguageLab.Settings lab, List<Double> lrs, Map<String, Object> orpoParams, int sftSteps,
            Map<String, Object> dpoParams, int dpoSteps, int evalEvery, Map<String, MarginRule.Spec> rules) {
    }

    private final Settings settings;

    public SingleStageScenario(Settings settings) {
        this.settings = settings;
    }

    /** Runs both pipelines over every seed. */
    public ScenarioReport run(BenchContext ctx) {
        long start = System.nanoTime();
        List<LanguageLab> labs = LanguageLab.openAll(ctx, settings.lab());
        String bt = RewardKlFrontierScenario.DATA;
        int total = settings.sftSteps() + settings.dpoSteps();
        Arm orpo = Arm.of("orpo, one stage (" + total + " steps)", "orpo", settings.orpoParams(), settings.lrs())
                .submit(labs, ctx.sweepSeeds(), (lab, v) -> RunSpec.of("single-orpo", bt, v.objective(), v.lr(), total, settings.evalEvery()));
        Arm sft = Arm.of("sft on chosen (" + settings.sftSteps() + " steps; control)", "preferred_ft", Map.of(),
                settings.lrs()).submit(labs, ctx.sweepSeeds(), (lab, v) -> RunSpec.of("frontier-preferred_ft", bt, v.objective(), v.lr(), settings.sftSteps(),
                        settings.evalEvery()).saved());
        ctx.log().printf(Locale.ROOT, "  single stage: orpo and sft × %d seeds, then dpo from the chosen sft%n",
                labs.size());
        List<Run> sftRuns = sft.runs();
        Arm dpo = Arm.of("sft, then dpo (" + settings.sftSteps() + " + " + settings.dpoSteps() + " steps)", "dpo",
                settings.dpoParams(), settings.lrs());
        dpo.submit(labs, ctx.sweepSeeds(), (lab, v) -> {
            Run base = sftRuns.get(labs.indexOf(lab));
            return RunSpec.of("single-sft-dpo", bt, v.objective(),
                    v.lr(), settings.dpoSteps(), settings.evalEvery()).from(base.model());
        });
        Arm.resolveAll(List.of(orpo, dpo));
        return report(labs, orpo, sft, dpo, (System.nanoTime() - start) / 1e9);
    }

    private ScenarioReport report(List<LanguageLab> labs, Arm orpo, Arm sft, Arm dpo, double seconds) {
        Rules rules = new Rules(settings.rules());
        Matched.Comparison vsTwo = Matched.atEnd(orpo.runs(), dpo.runs(), r -> r.last().reward());
        rules.apply("vs_two_stage", "final true reward, ORPO − (SFT + DPO)", vsTwo.delta(), true, 3);
        Matched.Comparison vsSft = Matched.atEnd(orpo.runs(), sft.runs(), r -> r.last().reward());
        rules.apply("vs_sft_only", "final true reward, ORPO − SFT only", vsSft.delta(), false, 3);
        List<List<String>> table = new ArrayList<>();
        for (Arm a : List.of(orpo, dpo, sft)) {
            List<Run> runs = a.runs();
            table.add(Fmt.withCosts(runs, a.name(), a.chosen().label(), Fmt.over(runs, r -> r.last().reward()).format(3),
                    Fmt.over(runs, r -> r.last().length()).format(1), Fmt.over(runs, Run::finalKl).format(2)));
        }
        // The pipelines on one axis: the two-stage pipeline's DPO steps follow its SFT steps.
        Chart.Series two = Fmt.trajectory("sft, then dpo", dpo.runs(), Run.Eval::reward);
        Chart.Series first = Fmt.trajectory("sft", sft.runs(), Run.Eval::reward);
        double[] x = new double[first.x().length + two.x().length];
        double[] y = new double[x.length];
        double[] lo = new double[x.length];
        double[] hi = new double[x.length];
        for (int i = 0; i < first.x().length; i++) {
            x[i] = first.x()[i];
            y[i] = first.y()[i];
            lo[i] = first.low()[i];
            hi[i] = first.high()[i];
        }
        for (int i = 0; i < two.x().length; i++) {
            int k = first.x().length + i;
            x[k] = two.x()[i] + settings.sftSteps();
            y[k] = two.y()[i];
            lo[k] = two.low()[i];
            hi[k] = two.high()[i];
        }
        List<Chart.Series> series = List.of(Fmt.trajectory("orpo (one stage)", orpo.runs(), Run.Eval::reward),
                new Chart.Series("sft (steps 0–" + settings.sftSteps() + "), then dpo", x, y, lo, hi));
        String reason = String.format(Locale.ROOT, "final true reward: ORPO in one stage %s, SFT + DPO %s, SFT only "
                + "%s; ORPO − (SFT + DPO) Δ = %s, ORPO − SFT Δ = %s.", Fmt.over(orpo.runs(), r -> r.last().reward())
                .format(3), Fmt.over(dpo.runs(), r -> r.last().reward()).format(3),
                Fmt.over(sft.runs(), r -> r.last().reward()).format(3), vsTwo.delta().formatSigned(3),
                vsSft.delta().formatSigned(3));
        List<String> design = List.of(
                "Data: the frontier's Bradley–Terry pairs; both pipelines start from π_ref (the \"pretrained\" model).",
                String.format(Locale.ROOT, "Budget: ORPO %d steps; SFT on the chosen responses %d steps then DPO %d "
                        + "steps (reference: the SFT checkpoint) — the same %d steps of %d pairs each (equal token "
                        + "budgets); evaluated every %d steps.", settings.sftSteps() + settings.dpoSteps(),
                        settings.sftSteps(), settings.dpoSteps(), settings.sftSteps() + settings.dpoSteps(),
                        settings.lab().batchSize(), settings.evalEvery()),
                "Sweep: ORPO, the SFT stage and the DPO stage each over lr ∈ " + settings.lrs() + ", chosen on "
                        + "validation reward; the DPO stage starts from each seed's chosen SFT checkpoint.",
                "Statistics: final true reward on the test prompts, paired by seed; 95% paired t-intervals over "
                        + labs.size() + " seeds. KL is to π_ref for every pipeline.");
        return new ScenarioReport("single_stage", "Single stage (ORPO, Hong et al. 2024)",
                "From the same pretrained model and with the same budget, ORPO in one stage reaches the alignment of "
                        + "supervised fine-tuning followed by DPO.", design, rules.printed(), rules.verdict(), reason,
                List.of(new Table("End of each pipeline (chosen variants; mean and 95% t-interval over seeds)",
                        Fmt.withCosts("pipeline", "chosen variant (last stage)", "true reward", "sampled length",
                                "KL to π_ref (fitted)"), table), Fmt.sweep("single stage", List.of(orpo, sft, dpo))),
                List.of(new Chart("reward", "True reward over the pipeline's steps (95% t-band over seeds)",
                        "pipeline step", "mean true reward", false, series)),
                Fmt.rows("single_stage", List.of(orpo, sft, dpo)), seconds);
    }
}
