package io.dpo4j.api;

/** How preference feedback is shaped: pairs of (chosen, rejected) responses, or single labelled responses. */
public enum DataLayout {
    /** Each row is a prompt with a chosen and a rejected response. */
    PAIRED,
    /** Each row is a prompt with one response labelled desirable or undesirable (KTO). */
    UNPAIRED;

    /** The lower-case name used in configuration files and messages. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
