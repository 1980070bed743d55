package io.dpo4j.core.data;

/**
 * A row that cannot be used, with its reason and the field at fault. Internal to loading: the
 * loader turns it into a {@link io.dpo4j.core.DpoException} or a counted skip.
 */
final class BadRowException extends Exception {

    private static final long serialVersionUID = 1L;

    private final BadRowReason reason;
    private final String field;
    private final String detail;

    /**
     * @param reason the class of fault
     * @param field the field at fault (a path such as {@code chosen[1].role}), or null when the fault
     *     concerns the whole row
     * @param detail what is wrong, e.g. {@code expected a string, found a number (42)}
     */
    BadRowException(BadRowReason reason, String field, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
        this.field = field;
        this.detail = detail;
    }

    BadRowReason reason() {
        return reason;
    }

    /** The message for a row at {@code location} ({@code file:line}). */
    String messageAt(String location) {
        return location + ": " + (field == null ? "" : "field '" + field + "': ") + detail;
    }
}
