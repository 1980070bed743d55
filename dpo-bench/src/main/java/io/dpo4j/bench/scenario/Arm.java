package io.dpo4j.bench.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.bench.lab.LanguageLab;
import io.dpo4j.bench.lab.Run;
import io.dpo4j.bench.lab.RunSpec;
import io.dpo4j.bench.stats.Interval;
import io.dpo4j.bench.stats.TInterval;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * One arm of a comparison: a training configuration swept over a small grid of variants (learning
 * rates, and for some arms a hyperparameter). Every variant runs on the first seeds (the sweep
 * seeds); the variant with the highest mean true reward on the <b>validation</b> prompts at the end
 * of training is chosen — the test prompts, which every verdict reads, play no part in the choice —
 * and then also runs on the remaining seeds, so the chosen variant has a run on every seed. Runs of different arms with
 * the same seed share that seed's data, π_ref and evaluation prompts, so arms compare pairwise by
 * seed.
 */
final class Arm {

    /** One point of the sweep. */
    record Variant(ObjectNode objective, double lr) {

        /** {@code dpo {beta=0.1}, lr 3e-3}. */
        String label() {
            String params = objective.path("params").isEmpty() ? "" : " " + objective.path("params").toString()
                    .replace("\"", "").replace(":", "=").replace(",", ", ");
            return objective.get("id").asText() + params + String.format(Locale.ROOT, ", lr %.0e", lr);
        }
    }

    private final String name;
    private final List<Variant> variants;
    private final Map<Variant, List<CompletableFuture<Run>>> futures = new LinkedHashMap<>();
    private final List<CompletableFuture<Run>> rest = new ArrayList<>();
    private final Map<Variant, List<Run>> runs = new LinkedHashMap<>();
    private List<LanguageLab> labs = List.of();
    private BiFunction<LanguageLab, Variant, RunSpec> spec;
    private int sweep;
    private Variant chosen;

    Arm(String name, List<Variant> variants) {
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("arm " + name + " has no variant");
        }
        this.name = name;
        this.variants = List.copyOf(variants);
    }

    /** An arm of one objective swept over learning rates (and over each parameter set given). */
    static Arm of(String name, String id, List<Map<String, Object>> paramSets, List<Double> lrs) {
        List<Variant> v = new ArrayList<>();
        for (Map<String, Object> p : paramSets) {
            for (double lr : lrs) {
                v.add(new Variant(LanguageLab.objective(id, p), lr));
            }
        }
        return new Arm(name, v);
    }

    /** As {@link #of(String, String, List, List)} with one parameter set. */
    static Arm of(String name, String id, Map<String, Object> params, List<Double> lrs) {
        return of(name, id, List.of(params), lrs);
    }

    String name() {
        return name;
    }

    List<Variant> variants() {
        return variants;
    }

    /**
     * Submits the sweep: every variant on the first {@code sweepSeeds} labs (all of them when 0 or
     * when there is one variant); {@link #choose()} later adds the chosen variant's runs on the rest.
     * {@code spec} makes a variant's run on a lab.
     */
    Arm submit(List<LanguageLab> labs, int sweepSeeds, BiFunction<LanguageLab, Variant, RunSpec> spec) {
        this.labs = List.copyOf(labs);
        this.spec = spec;
        this.sweep = variants.size() == 1 || sweepSeeds <= 0 ? labs.size() : Math.min(sweepSeeds, labs.size());
        for (Variant v : variants) {
            List<CompletableFuture<Run>> list = new ArrayList<>();
            for (LanguageLab lab : labs.subList(0, sweep)) {
                list.add(lab.submit(spec.apply(lab, v)));
            }
            futures.put(v, list);
        }
        return this;
    }

    /**
     * Waits for the sweep, chooses the variant with the highest mean validation reward at the end
     * (over the sweep seeds) and submits its runs on the remaining seeds. Idempotent.
     */
    Arm choose() {
        if (chosen != null) {
            return this;
        }
        double best = Double.NEGATIVE_INFINITY;
        for (Map.Entry<Variant, List<CompletableFuture<Run>>> e : futures.entrySet()) {
            List<Run> list = e.getValue().stream().map(BenchContext::join).toList();
            runs.put(e.getKey(), new ArrayList<>(list));
            double v = list.stream().mapToDouble(r -> r.last().validationReward()).average().orElse(Double.NaN);
            if (chosen == null || v > best) {
                best = v;
                chosen = e.getKey();
            }
        }
        for (LanguageLab lab : labs.subList(sweep, labs.size())) {
            rest.add(lab.submit(spec.apply(lab, chosen)));
        }
        return this;
    }

    /** Chooses (see {@link #choose()}) and waits for the chosen variant's runs on every seed. */
    Arm resolve() {
        choose();
        if (!rest.isEmpty()) {
            rest.stream().map(BenchContext::join).forEach(runs.get(chosen)::add);
            rest.clear();
        }
        return this;
    }

    /** Chooses every arm first (so the remaining runs of all of them are queued together), then waits. */
    static void resolveAll(List<Arm> arms) {
        arms.forEach(Arm::choose);
        arms.forEach(Arm::resolve);
    }

    /** On how many seeds every variant ran. */
    int sweepSeeds() {
        return sweep;
    }

    /** The chosen variant (waits for the sweep only). */
    Variant chosen() {
        choose();
        return chosen;
    }

    /** The chosen variant's runs, one per seed in seed order. */
    List<Run> runs() {
        resolve();
        return runs.get(chosen);
    }

    /** A variant's runs. */
    List<Run> runs(Variant v) {
        resolve();
        return runs.get(v);
    }

    /** Every run of every variant. */
    List<Run> everyRun() {
        resolve();
        List<Run> out = new ArrayList<>();
        runs.values().forEach(out::addAll);
        return out;
    }

    /** The sweep as table rows: arm, variant, validation reward, test reward, fitted final KL, chosen. */
    List<List<String>> sweepRows() {
        resolve();
        List<List<String>> rows = new ArrayList<>();
        for (Variant v : variants) {
            List<Run> list = runs.get(v);
            Interval val = TInterval.mean(list.stream().mapToDouble(r -> r.last().validationReward()).toArray());
            Interval test = TInterval.mean(list.stream().mapToDouble(r -> r.last().reward()).toArray());
            Interval kl = TInterval.mean(list.stream().mapToDouble(Run::finalKl).toArray());
            double selection = list.subList(0, Math.min(sweep, list.size())).stream()
                    .mapToDouble(r -> r.last().validationReward()).average().orElse(Double.NaN);
            rows.add(List.of(name, v.label(), String.format(Locale.ROOT, "%.3f", selection), val.format(3),
                    Integer.toString(list.size()), test.format(3), kl.format(2), v.equals(chosen) ? "✓" : ""));
        }
        return rows;
    }

    /** The sweep table's header. */
    static List<String> sweepHeader() {
        return List.of("arm", "variant", "validation reward, sweep seeds (chooses)", "validation reward, all its seeds",
                "seeds", "test reward at end", "KL at end (fitted)", "chosen");
    }

    /** A per-seed value of the chosen variant's runs. */
    double[] values(java.util.function.ToDoubleFunction<Run> metric) {
        return runs().stream().mapToDouble(metric).toArray();
    }

    /** Result rows of every run, for the JSON and CSV files. */
    List<Map<String, Object>> rows(String scenario) {
        resolve();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Variant v : variants) {
            for (Run r : runs.get(v)) {
                Map<String, Object> row = r.row(scenario, name);
                row.put("chosen", v.equals(chosen));
                out.add(row);
            }
        }
        return out;
    }

    /** Mean CPU seconds of a run of this arm. */
    double cpuPerRun() {
        return everyRun().stream().mapToDouble(Run::cpuSeconds).average().orElse(Double.NaN);
    }
}
