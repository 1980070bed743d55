package io.dpo4j.cli.config;

import io.dpo4j.api.Violation;
import io.dpo4j.core.DpoException;
import java.util.List;

/** An invalid configuration: every problem at once, each with its field, value and rule. */
public class ConfigException extends DpoException {

    private static final long serialVersionUID = 1L;

    private final transient List<Violation> violations;

    public ConfigException(String source, List<Violation> violations) {
        super(message(source, violations));
        this.violations = List.copyOf(violations);
    }

    /** Every problem found. */
    public List<Violation> violations() {
        return violations;
    }

    private static String message(String source, List<Violation> violations) {
        StringBuilder sb = new StringBuilder(source).append(": ")
                .append(violations.size() == 1 ? "1 problem" : violations.size() + " problems");
        violations.forEach(v -> sb.append("\n  - ").append(v));
        return sb.toString();
    }
}
