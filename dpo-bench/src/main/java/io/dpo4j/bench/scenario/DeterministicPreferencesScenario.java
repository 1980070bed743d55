package io.dpo4j.bench.scenario;

import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.bench.stats.Interval;
import io.dpo4j.bench.stats.TInterval;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The deterministic-preferences scenario (Azar et al. 2023, §5) on tabular softmax policies: a table
 * of IPO's measured two-action solution against {@code σ(0.5/τ)} (and the three-action closed form),
 * DPO's π(y1) for a β sweep, and where every other objective ends up.
 */
public final class DeterministicPreferencesScenario {

    /**
     * Settings.
     *
     * @param steps optimizer steps per policy
     * @param lr Adam learning rate
     * @param taus IPO τ values checked against the closed form
     * @param betas DPO β values
     * @param others other objective ids (with defaults) to train on the same problem
     */
    public record Settings(int steps, double lr, List<Double> taus, List<Double> betas, List<String> others) {
    }

    /** The tolerance of the closed-form check. */
    public static final double TOLERANCE = 0.02;

    private final Settings settings;

    public DeterministicPreferencesScenario(Settings settings) {
        this.settings = settings;
    }

    /** Runs every cell over every seed. */
    public ScenarioReport run(BenchContext ctx) {
        long start = System.nanoTime();
        io.dpo4j.bench.lab.CellThread.prepare();
        TabularPreferenceScenario tabular = new TabularPreferenceScenario(settings.steps(), settings.lr());
        List<Map<String, Object>> rows = new ArrayList<>();
        List<List<String>> ipoTable = new ArrayList<>();
        int ipoWithin = 0;
        for (double tau : settings.taus()) {
            for (int actions : new int[] {2, 3}) {
                ConfiguredObjective ipo = ctx.registry().require("ipo").configure(Map.of("beta", tau));
                double[] measured = new double[ctx.seeds().size()];
                for (int i = 0; i < measured.length; i++) {
                    TabularPreferenceScenario.Outcome o = tabular.run(ipo, Map.of("beta", tau), actions, ctx.manager(),
                            ctx.seeds().get(i));
                    measured[i] = o.policy()[0];
                    rows.add(row("ipo", tau, actions, ctx.seeds().get(i), o));
                }
                double closed = TabularPreferenceScenario.ipoClosedForm(actions, tau)[0];
                Interval ci = TInterval.mean(measured);
                boolean within = Math.abs(ci.mean() - closed) <= TOLERANCE;
                if (actions == 2 && within) {
                    ipoWithin++;
                }
                ipoTable.add(List.of(fmt(tau), String.valueOf(actions), ci.format(4), fmt4(closed),
                        fmt4(Math.abs(ci.mean() - closed)), within ? "yes" : "no"));
                ctx.log().printf(Locale.ROOT, "  deterministic preferences: ipo τ=%s K=%d π(y1)=%.4f closed form %.4f%n",
                        fmt(tau), actions, ci.mean(), closed);
            }
        }
        List<List<String>> dpoTable = new ArrayList<>();
        boolean dpoDeterministic = true;
        StringBuilder dpoNumbers = new StringBuilder();
        for (double beta : settings.betas()) {
            ConfiguredObjective dpo = ctx.registry().require("dpo").configure(Map.of("beta", beta));
            double[] end = new double[ctx.seeds().size()];
            double[] half = new double[ctx.seeds().size()];
            for (int i = 0; i < end.length; i++) {
                TabularPreferenceScenario.Outcome o = tabular.run(dpo, Map.of("beta", beta), 2, ctx.manager(),
                        ctx.seeds().get(i));
                end[i] = o.policy()[0];
                half[i] = o.firstActionTrajectory()[o.firstActionTrajectory().length / 2 - 1];
                rows.add(row("dpo", beta, 2, ctx.seeds().get(i), o));
            }
            Interval e = TInterval.mean(end);
            Interval h = TInterval.mean(half);
            boolean det = e.mean() >= 0.99 && e.mean() >= h.mean();
            dpoDeterministic &= det;
            dpoTable.add(List.of(fmt(beta), h.format(6), e.format(6), det ? "yes" : "no"));
            dpoNumbers.append(dpoNumbers.length() == 0 ? "" : ", ").append("β=").append(fmt(beta)).append(": ")
                    .append(String.format(Locale.ROOT, "%.4f", e.mean()));
        }
        List<List<String>> othersTable = new ArrayList<>();
        for (String id : settings.others()) {
            ConfiguredObjective o = ctx.registry().require(id).configureDefaults();
            double[] end = new double[ctx.seeds().size()];
            for (int i = 0; i < end.length; i++) {
                TabularPreferenceScenario.Outcome out = tabular.run(o, Map.of(), 2, ctx.manager(), ctx.seeds().get(i));
                end[i] = out.policy()[0];
                rows.add(row(id, Double.NaN, 2, ctx.seeds().get(i), out));
            }
            othersTable.add(List.of(id, o.parameters().toString(), TInterval.mean(end).format(4)));
        }
        int needed = Math.min(3, settings.taus().size());
        Verdict verdict = ipoWithin >= needed && dpoDeterministic ? Verdict.REPRODUCED : Verdict.NOT_REPRODUCED;
        String reason = String.format(Locale.ROOT, "IPO's two-action π(y1) is within %.2f of σ(0.5/τ) for %d of %d τ "
                + "values; DPO's π(y1) after %d steps: %s (deterministic: %s).", TOLERANCE, ipoWithin,
                settings.taus().size(), settings.steps(), dpoNumbers, dpoDeterministic ? "yes, for every β" : "no");
        List<Table> tables = List.of(
                new Table("IPO: measured π(y1) (mean and 95% t-interval over seeds) vs closed form",
                        List.of("τ", "actions", "measured π(y1)", "closed form", "|difference|", "within 0.02"), ipoTable),
                new Table("DPO: π(y1) at half and full training", List.of("β", "π(y1) at half", "π(y1) at end",
                        "deterministic (≥ 0.99, rising)"), dpoTable),
                new Table("Other objectives (defaults), two actions", List.of("objective", "parameters", "π(y1)"),
                        othersTable));
        return new ScenarioReport("deterministic_preferences", "Deterministic preferences (IPO, Azar et al. 2023 §5)",
                "With deterministic preferences DPO drives the policy to a deterministic one for every β, while IPO "
                        + "stays regularised: its two-action solution is π(y1) = σ(0.5/τ).",
                List.of("Tabular softmax policies (one logit per action, uniform reference) trained by Adam (lr "
                        + settings.lr() + ", " + settings.steps() + " steps) on always-the-same preferences y1 ≻ y2 "
                        + "(and y2 ≻ y3 for three actions), once per seed; a correctness check of the objective "
                        + "classes against closed forms, not a statistical comparison."),
                List.of(String.format(Locale.ROOT, "IPO: reproduced when the seed-mean two-action π(y1) is within %.2f "
                        + "of σ(0.5/τ) for at least %d τ values (measured: %d of %d)", TOLERANCE, needed, ipoWithin,
                        settings.taus().size()),
                        "DPO: reproduced when π(y1) ≥ 0.99 at the end and not below its value at half-training, for "
                                + "every β (measured: " + (dpoDeterministic ? "yes" : "no") + ")"),
                verdict, reason, tables, List.of(), rows, (System.nanoTime() - start) / 1e9);
    }

    private static Map<String, Object> row(String id, double param, int actions, long seed,
            TabularPreferenceScenario.Outcome o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("objective", id);
        r.put("beta", Double.isNaN(param) ? null : param);
        r.put("actions", actions);
        r.put("seed", seed);
        r.put("pi_y1", o.policy()[0]);
        r.put("closed_form", Double.isNaN(o.closedForm()) ? null : o.closedForm());
        return r;
    }

    private static String fmt(double x) {
        return String.format(Locale.ROOT, "%s", x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x));
    }

    private static String fmt4(double x) {
        return String.format(Locale.ROOT, "%.4f", x);
    }
}
