package io.dpo4j.core.jinja;

/** jinja2's default {@code Undefined}: renders as nothing, is false, iterates as empty; most other uses fail. */
record Undefined(String description) {

    /** The message for a failed use, as jinja2 words it. */
    String message() {
        return description + " is undefined";
    }
}
