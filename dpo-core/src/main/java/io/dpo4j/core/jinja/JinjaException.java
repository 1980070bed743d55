package io.dpo4j.core.jinja;

/**
 * A template that cannot be parsed, fails while rendering, breaks a {@link RenderLimits} bound, or
 * rejects its input with {@code raise_exception}. The message names the template and, where known,
 * its line.
 */
public final class JinjaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, so callers can tell the template's own verdict from its faults. */
    public enum Kind {
        /** The template does not parse (syntax, an unknown filter, test or tag). */
        SYNTAX,
        /** The template failed while rendering (an undefined value used, a type error, recursion). */
        RENDER,
        /** A bound of {@link RenderLimits} was exceeded (time, output size, loop iterations). */
        LIMIT,
        /** The template called {@code raise_exception(message)}: it rejects its input. */
        RAISED
    }

    private final Kind kind;
    private final String detail;

    JinjaException(Kind kind, String message, String detail) {
        super(message, null, false, false);
        this.kind = kind;
        this.detail = detail;
    }

    /** The kind of failure. */
    public Kind kind() {
        return kind;
    }

    /** The message without the template's name and line (for {@link Kind#RAISED}, the template's own text). */
    public String detail() {
        return detail;
    }
}
