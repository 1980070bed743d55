package io.dpo4j.core;

/**
 * An error the user can fix (bad input, bad configuration, a missing file): its message is complete
 * on its own, names the file, field and value where there are some, and is shown without a stack
 * trace.
 */
public class DpoException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DpoException(String message) {
        super(message);
    }

    public DpoException(String message, Throwable cause) {
        super(message, cause);
    }
}
