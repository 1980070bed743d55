package io.dpo4j.bench.scenario;

/** Whether a scenario's measurements support the claim it tests. */
public enum Verdict {
    /** The measurements support the claim. */
    REPRODUCED,
    /** The measurements contradict the claim (or fail its stated threshold). */
    NOT_REPRODUCED,
    /** Too little signal to say either way (reported with the numbers). */
    INCONCLUSIVE;

    /** The words shown in reports. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
