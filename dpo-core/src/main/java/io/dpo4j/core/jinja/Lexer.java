package io.dpo4j.core.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into tokens the way Python's jinja2 lexer does with {@code trim_blocks} and
 * {@code lstrip_blocks} on: {@code -} strips whitespace beside a tag, {@code +} keeps it, a block or
 * comment tag alone on its line loses the line's leading spaces and the newline after it, newlines
 * are normalised to line feeds, and one trailing newline of the source is dropped.
 */
final class Lexer {

    private final String name;
    private final String src;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int line = 1;
    private boolean lineStarting = true;

    private Lexer(String name, String source) {
        this.name = name;
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        this.src = s;
    }

    static List<Token> tokenize(String name, String source) {
        Lexer lexer = new Lexer(name, source);
        lexer.run();
        return lexer.out;
    }

    private JinjaException error(String message) {
        return new JinjaException(JinjaException.Kind.SYNTAX, name + ":" + line + ": " + message, message);
    }

    private void run() {
        int n = src.length();
        while (pos < n) {
            int open = nextOpener(pos);
            if (open < 0) {
                emitText(src.substring(pos), line);
                line += count(src, pos, n);
                break;
            }
            String text = src.substring(pos, open);
            char kind = src.charAt(open + 1);
            char sign = open + 2 < n ? src.charAt(open + 2) : 0;
            if (sign == '-') {
                text = PyStrings.rstrip(text, null);
            } else if (sign != '+' && kind != '{') {
                int l = text.lastIndexOf('\n') + 1;
                if ((l > 0 || lineStarting) && l < text.length() && isBlank(text, l)) {
                    text = text.substring(0, l);
                }
            }
            int textLine = line;
            line += count(src, pos, open);
            emitText(text, textLine);
            int start = open + 2 + (sign == '-' || sign == '+' ? 1 : 0);
            if (kind == '#') {
                int end = src.indexOf("#}", start);
                if (end < 0) {
                    throw error("a comment '{#' is never closed");
                }
                boolean strip = end > start && src.charAt(end - 1) == '-';
                boolean keep = end > start && src.charAt(end - 1) == '+';
                line += count(src, open, end);
                pos = end + 2;
                afterTag(strip, !keep);
            } else {
                out.add(new Token(kind == '{' ? Token.Type.VAR_BEGIN : Token.Type.BLOCK_BEGIN, kind == '{' ? "{{" : "{%",
                        null, line));
                pos = start;
                lexTag(kind == '{');
            }
        }
        out.add(new Token(Token.Type.EOF, "", null, line));
    }

    private int nextOpener(int from) {
        int i = from;
        while (true) {
            i = src.indexOf('{', i);
            if (i < 0 || i + 1 >= src.length()) {
                return -1;
            }
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i++;
        }
    }

    private void emitText(String text, int at) {
        if (!text.isEmpty()) {
            out.add(new Token(Token.Type.TEXT, text, text, at));
        }
    }

    /** After a tag's end: {@code -} strips all whitespace, otherwise trim_blocks eats one newline. */
    private void afterTag(boolean strip, boolean trim) {
        int from = pos;
        if (strip) {
            while (pos < src.length() && PyStrings.isSpace(src.charAt(pos))) {
                pos++;
            }
        } else if (trim && pos < src.length() && src.charAt(pos) == '\n') {
            pos++;
        }
        line += count(src, from, pos);
        lineStarting = pos > from && src.charAt(pos - 1) == '\n';
    }

    private void lexTag(boolean variable) {
        int depth = 0;
        int n = src.length();
        while (true) {
            while (pos < n && PyStrings.isSpace(src.charAt(pos))) {
                if (src.charAt(pos) == '\n') {
                    line++;
                }
                pos++;
            }
            if (pos >= n) {
                throw error("a tag '" + (variable ? "{{" : "{%") + "' is never closed");
            }
            if (depth == 0) {
                String end = variable ? "}}" : "%}";
                if (src.startsWith("-" + end, pos)) {
                    out.add(new Token(variable ? Token.Type.VAR_END : Token.Type.BLOCK_END, end, null, line));
                    pos += 3;
                    afterTag(true, false);
                    return;
                }
                if (!variable && src.startsWith("+" + end, pos)) {
                    out.add(new Token(Token.Type.BLOCK_END, end, null, line));
                    pos += 3;
                    afterTag(false, false);
                    return;
                }
                if (src.startsWith(end, pos)) {
                    out.add(new Token(variable ? Token.Type.VAR_END : Token.Type.BLOCK_END, end, null, line));
                    pos += 2;
                    afterTag(false, !variable);
                    return;
                }
            }
            char c = src.charAt(pos);
            if (c == '\'' || c == '"') {
                lexString(c);
            } else if (Character.isDigit(c)) {
                lexNumber();
            } else if (Character.isLetter(c) || c == '_') {
                int s = pos;
                while (pos < n && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                    pos++;
                }
                out.add(new Token(Token.Type.NAME, src.substring(s, pos), null, line));
            } else {
                String op = operator();
                if (op == null) {
                    throw error("unexpected character '" + c + "' in a tag");
                }
                if (op.equals("(") || op.equals("[") || op.equals("{")) {
                    depth++;
                } else if (op.equals(")") || op.equals("]") || op.equals("}")) {
                    depth = Math.max(0, depth - 1);
                }
                out.add(new Token(Token.Type.OP, op, null, line));
                pos += op.length();
            }
        }
    }

    private static final String[] OPERATORS = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "(", ")",
        "[", "]", "{", "}", ",", ".", ":", "|", "=", "<", ">", ";"};

    private String operator() {
        for (String op : OPERATORS) {
            if (src.startsWith(op, pos)) {
                return op;
            }
        }
        return null;
    }

    private void lexNumber() {
        int s = pos;
        int n = src.length();
        while (pos < n && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
            pos++;
        }
        boolean isFloat = false;
        if (pos + 1 < n && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            isFloat = true;
            pos++;
            while (pos < n && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                pos++;
            }
        }
        if (pos < n && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int e = pos + 1;
            if (e < n && (src.charAt(e) == '+' || src.charAt(e) == '-')) {
                e++;
            }
            if (e < n && Character.isDigit(src.charAt(e))) {
                isFloat = true;
                pos = e;
                while (pos < n && Character.isDigit(src.charAt(pos))) {
                    pos++;
                }
            }
        }
        String text = src.substring(s, pos).replace("_", "");
        try {
            out.add(isFloat ? new Token(Token.Type.FLOAT, text, Double.parseDouble(text), line)
                    : new Token(Token.Type.INT, text, Long.parseLong(text), line));
        } catch (NumberFormatException e) {
            throw error("the number " + text + " is out of range");
        }
    }

    /** A string literal with Python's escapes (newline, tab, unicode escapes, …). */
    private void lexString(char quote) {
        int n = src.length();
        int startLine = line;
        StringBuilder b = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= n) {
                line = startLine;
                throw error("a string literal is never closed");
            }
            char c = src.charAt(pos);
            if (c == quote) {
                pos++;
                break;
            }
            if (c == '\n') {
                line++;
            }
            if (c != '\\' || pos + 1 >= n) {
                b.append(c);
                pos++;
                continue;
            }
            char e = src.charAt(pos + 1);
            pos += 2;
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case '\\' -> b.append('\\');
                case '\'' -> b.append('\'');
                case '"' -> b.append('"');
                case 'a' -> b.append('\u0007');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'v' -> b.append('\u000b');
                case '\n' -> line++;
                case 'x' -> b.appendCodePoint(hex(2));
                case 'u' -> b.appendCodePoint(hex(4));
                case 'U' -> b.appendCodePoint(hex(8));
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && pos < n && src.charAt(pos) >= '0' && src.charAt(pos) <= '7'; k++) {
                            v = v * 8 + src.charAt(pos++) - '0';
                        }
                        b.append((char) v);
                    } else {
                        b.append('\\').append(e);
                    }
                }
            }
        }
        String value = b.toString();
        out.add(new Token(Token.Type.STRING, value, value, startLine));
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) {
            throw error("a truncated hexadecimal escape in a string literal");
        }
        try {
            int v = Integer.parseUnsignedInt(src.substring(pos, pos + digits), 16);
            pos += digits;
            if (v > Character.MAX_CODE_POINT) {
                throw error("the escape \\U" + Integer.toHexString(v) + " is not a Unicode code point");
            }
            return v;
        } catch (NumberFormatException e) {
            throw error("a malformed hexadecimal escape in a string literal");
        }
    }

    private static boolean isBlank(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!PyStrings.isSpace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int count(String s, int from, int to) {
        int c = 0;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == '\n') {
                c++;
            }
        }
        return c;
    }
}
