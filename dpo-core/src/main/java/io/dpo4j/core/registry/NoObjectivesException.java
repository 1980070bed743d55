package io.dpo4j.core.registry;

import java.util.List;

/** Thrown when discovery finds no usable objective at all: the message says which jars to add. */
public class NoObjectivesException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public NoObjectivesException(List<LoadProblem> problems) {
        super(message(problems));
    }

    private static String message(List<LoadProblem> problems) {
        StringBuilder sb = new StringBuilder("no preference objectives found. Put dpo-core (objective 'dpo') and the "
                + "variant jars dpo-ipo, dpo-kto, dpo-orpo, dpo-simpo on the class path (the dpo-bench distribution "
                + "has them all), or pass a folder of plugin jars with --plugins DIR.");
        if (!problems.isEmpty()) {
            sb.append(" Providers that failed:");
            problems.forEach(p -> sb.append("\n  - ").append(p));
        }
        return sb.toString();
    }
}
