package io.dpo4j.train;

import io.dpo4j.core.DpoException;

/**
 * A run stopped because a loss, a gradient or the weights were not finite — or the weights diverged
 * (see {@link DivergenceGuard}). The message names the step, the examples and where to resume from.
 */
public final class NonFiniteException extends DpoException {
    private static final long serialVersionUID = 1L;

    /** With the full message. */
    public NonFiniteException(String message) {
        super(message);
    }
}
