package io.dpo4j.api;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown by {@link PreferenceObjective#configure} with every invalid field at once. */
public class InvalidHyperparametersException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String objectiveId;
    private final transient List<Violation> violations;

    public InvalidHyperparametersException(String objectiveId, List<Violation> violations) {
        super(message(objectiveId, violations));
        this.objectiveId = objectiveId;
        this.violations = List.copyOf(violations);
    }

    /** The objective whose parameters were rejected. */
    public String objectiveId() {
        return objectiveId;
    }

    /** Every violation, in the order the fields were checked. */
    public List<Violation> violations() {
        return violations;
    }

    private static String message(String objectiveId, List<Violation> violations) {
        String header = violations.size() == 1
                ? "invalid parameter for objective '" + objectiveId + "':"
                : violations.size() + " invalid parameters for objective '" + objectiveId + "':";
        return header + violations.stream().map(v -> "\n  - " + v).collect(Collectors.joining());
    }
}
