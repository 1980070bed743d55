package io.dpo4j.core.data;

import io.dpo4j.api.DataLayout;
import io.dpo4j.api.DatasetSummary;
import io.dpo4j.core.DpoException;
import java.util.ArrayList;
import java.util.List;

/**
 * Examples arranged in the layout an objective needs. Paired data is unpaired for an unpaired
 * objective (KTO); unpaired data given to a paired objective is an error. Split into training and
 * validation before unpairing, so that both halves of a pair land on the same side.
 */
public final class ExampleLayouts {

    private ExampleLayouts() {
    }

    /**
     * The examples as pairs.
     *
     * @param objectiveId the objective's id, for the message
     * @throws DpoException naming the first unpaired row
     */
    public static List<PairedExample> pairs(List<? extends PreferenceExample> examples, String objectiveId) {
        List<PairedExample> pairs = new ArrayList<>(examples.size());
        for (PreferenceExample e : examples) {
            if (e instanceof PairedExample p) {
                pairs.add(p);
            } else {
                throw new DpoException(e.source() + ": objective '" + objectiveId
                        + "' needs paired rows (prompt, chosen, rejected), but this row is unpaired (prompt, completion, label); "
                        + "use paired data, or an objective for unpaired data such as kto");
            }
        }
        return pairs;
    }

    /**
     * The examples as unpaired examples: each pair becomes a desirable (chosen) and an undesirable
     * (rejected) example, ids {@code <id>#chosen} and {@code <id>#rejected}, in that order.
     */
    public static List<UnpairedExample> unpaired(List<? extends PreferenceExample> examples) {
        List<UnpairedExample> out = new ArrayList<>(examples.size() * 2);
        for (PreferenceExample e : examples) {
            if (e instanceof PairedExample p) {
                out.addAll(p.unpair());
            } else {
                out.add((UnpairedExample) e);
            }
        }
        return out;
    }

    /** The counts an objective sees before training, once the examples are in the given layout. */
    public static DatasetSummary summary(List<? extends PreferenceExample> examples, DataLayout layout) {
        if (layout == DataLayout.PAIRED) {
            return new DatasetSummary(examples.stream().filter(PairedExample.class::isInstance).count(), 0, 0);
        }
        long desirable = 0;
        long undesirable = 0;
        for (PreferenceExample e : examples) {
            if (e instanceof PairedExample) {
                desirable++;
                undesirable++;
            } else if (((UnpairedExample) e).desirable()) {
                desirable++;
            } else {
                undesirable++;
            }
        }
        return new DatasetSummary(0, desirable, undesirable);
    }
}
