package io.dpo4j.core.registry;

/** Thrown when an objective id is not among the usable objectives; the message lists the known ids. */
public class UnknownObjectiveException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String id;

    public UnknownObjectiveException(String id, String message) {
        super(message);
        this.id = id;
    }

    /** The id that was asked for. */
    public String id() {
        return id;
    }
}
