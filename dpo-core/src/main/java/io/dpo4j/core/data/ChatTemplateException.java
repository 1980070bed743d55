package io.dpo4j.core.data;

import io.dpo4j.core.DpoException;

/**
 * A chat template that could not render a conversation. When the template itself rejected the
 * conversation (its {@code raise_exception(...)}, e.g. "roles must alternate"), the fault is the
 * row's, and loading may skip the row; any other failure is the template's.
 */
public final class ChatTemplateException extends DpoException {

    private static final long serialVersionUID = 1L;

    private final boolean rejectedByTemplate;

    ChatTemplateException(String message, boolean rejectedByTemplate) {
        super(message);
        this.rejectedByTemplate = rejectedByTemplate;
    }

    /** True when the template's {@code raise_exception} rejected this particular conversation. */
    public boolean rejectedByTemplate() {
        return rejectedByTemplate;
    }
}
