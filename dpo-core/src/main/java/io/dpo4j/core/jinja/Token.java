package io.dpo4j.core.jinja;

/** One lexical token of a template. */
record Token(Type type, String text, Object literal, int line) {

    enum Type { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

    boolean is(Type t, String s) {
        return type == t && text.equals(s);
    }

    boolean isOp(String s) {
        return is(Type.OP, s);
    }

    boolean isName(String s) {
        return is(Type.NAME, s);
    }

    String describe() {
        return switch (type) {
            case EOF -> "the end of the template";
            case BLOCK_END -> "'%}'";
            case VAR_END -> "'}}'";
            case TEXT -> "text";
            default -> "'" + text + "'";
        };
    }
}
