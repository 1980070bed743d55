package io.dpo4j.bench.scenario;

import io.dpo4j.bench.stats.Interval;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The verdict rules of one scenario as its suite file wrote them (name → kind and margin), applied
 * one by one to measured intervals; the verdict is the combination of the rules that decide it
 * ({@link MarginRule#all}), and every rule — deciding or only reported — is printed in the report.
 */
final class Rules {

    private final Map<String, MarginRule.Spec> specs;
    private final List<String> printed = new ArrayList<>();
    private final List<Verdict> deciding = new ArrayList<>();
    private final Map<String, MarginRule.Outcome> outcomes = new LinkedHashMap<>();

    Rules(Map<String, MarginRule.Spec> specs) {
        this.specs = Map.copyOf(specs);
    }

    /** Applies rule {@code name} on {@code quantity} to {@code delta}; {@code decides}: part of the verdict. */
    MarginRule.Outcome apply(String name, String quantity, Interval delta, boolean decides, int digits) {
        MarginRule.Spec spec = specs.get(name);
        if (spec == null) {
            throw new IllegalStateException("no rule '" + name + "' in the suite (known: " + specs.keySet() + ")");
        }
        MarginRule.Outcome o = spec.on(quantity).apply(delta);
        outcomes.put(name, o);
        printed.add("[" + name + (decides ? "" : ", reported only") + "] " + o.describe(digits));
        if (decides) {
            deciding.add(o.verdict());
        }
        return o;
    }

    /** The outcome of an applied rule. */
    MarginRule.Outcome outcome(String name) {
        return outcomes.get(name);
    }

    /** A rule that could not be applied (e.g. an arm missing from the suite): inconclusive, said so. */
    void missing(String name, String why, boolean decides) {
        printed.add("[" + name + "] not applied: " + why + " → inconclusive");
        if (decides) {
            deciding.add(Verdict.INCONCLUSIVE);
        }
    }

    /** The printed rules with their outcomes. */
    List<String> printed() {
        return printed;
    }

    /** The verdict: every deciding rule combined. */
    Verdict verdict() {
        return MarginRule.all(deciding);
    }
}
