package io.dpo4j.bench.lab;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What one training run of the benchmark is: its data (a recipe name that {@link LanguageLab#examples}
 * turns into the same examples in any process), initial policy, reference, objective, learning rate
 * and length. Two specs with the same {@link #key(String)} are the same run, trained once and shared
 * between scenarios. A spec is plain data, so a worker process can run it.
 *
 * @param name a readable run name (its log file)
 * @param data the data recipe, e.g. {@code bradley-terry} or {@code deterministic/first-32/self}
 * @param initial the initial policy folder (null: π_ref)
 * @param reference the reference model folder (null: π_ref)
 * @param objective {@code {id, params}}; the id may be a registered objective or {@code preferred_ft}
 * @param lr the AdamW learning rate
 * @param steps optimizer steps
 * @param evalEvery steps between evaluations
 * @param save keep the final model (for a later stage; Preferred-FT runs always keep it)
 */
public record RunSpec(String name, String data, Path initial, Path reference, ObjectNode objective, double lr,
        int steps, int evalEvery, boolean save) {

    public RunSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(objective, "objective");
    }

    /** A run from π_ref against π_ref. */
    public static RunSpec of(String name, String data, ObjectNode objective, double lr, int steps, int evalEvery) {
        return new RunSpec(name, data, null, null, objective, lr, steps, evalEvery, false);
    }

    /** The same run, starting from {@code folder} with it as the reference (a second stage). */
    public RunSpec from(Path folder) {
        return new RunSpec(name, data, folder, folder, objective, lr, steps, evalEvery, save);
    }

    /** The same run, keeping its final model. */
    public RunSpec saved() {
        return new RunSpec(name, data, initial, reference, objective, lr, steps, evalEvery, true);
    }

    /**
     * Identifies the run: everything that determines its result (not whether the model is kept).
     *
     * @param resolvedObjective the objective with its defaults filled in, so that {@code {}} and
     *     {@code {beta: 0.1}} name the same run of {@code dpo}
     */
    public String key(String resolvedObjective) {
        return data + "|" + initial + "|" + reference + "|" + resolvedObjective + "|" + lr + "|" + steps + "|"
                + evalEvery;
    }
}
