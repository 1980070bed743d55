package io.dpo4j.core.data;

/** Why a row could not be used: the classes that skipped rows are counted by. */
public enum BadRowReason {
    /** The line is not valid UTF-8. */
    INVALID_UTF8("invalid UTF-8"),
    /** The row is not JSON. */
    INVALID_JSON("invalid JSON"),
    /** The row's JSON ends early (a cut-off line). */
    TRUNCATED_JSON("truncated JSON"),
    /** The row is JSON but not an object. */
    NOT_AN_OBJECT("not a JSON object"),
    /** An object has the same key twice. */
    DUPLICATE_KEY("duplicate key"),
    /** A required field is absent. */
    MISSING_FIELD("missing field"),
    /** A field has the wrong JSON type. */
    WRONG_TYPE("wrong type"),
    /** A required text (prompt or response) is empty. */
    EMPTY_TEXT("empty text"),
    /** An unpaired row's label is not {@code true} or {@code false}. */
    LABEL_NOT_BOOLEAN("label not a boolean"),
    /** A conversation message lacks a role, has an unknown role, or non-string content. */
    BAD_MESSAGE("bad message"),
    /** An implicit-prompt row whose chosen and rejected responses share no beginning. */
    NO_SHARED_PROMPT("no shared prompt"),
    /** A row that mixes plain text and conversations. */
    MIXED_CONTENT("text mixed with conversation"),
    /** A row longer than {@code data.max_row_bytes}. */
    ROW_TOO_LONG("row over max_row_bytes"),
    /** A text field longer than {@code data.max_field_chars}. */
    FIELD_TOO_LONG("field over max_field_chars");

    private final String description;

    BadRowReason(String description) {
        this.description = description;
    }

    /** A few words for summaries, e.g. {@code invalid JSON}. */
    public String description() {
        return description;
    }
}
