package io.dpo4j.core.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Python's {@code str} methods, with Python's notion of whitespace and code-point indexing. */
final class PyStrings {

    private PyStrings() {
    }

    /** Python's {@code str.isspace} for one character. */
    static boolean isSpace(int c) {
        return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
    }

    private static boolean strippable(int c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    static String strip(String s, String chars) {
        return rstrip(lstrip(s, chars), chars);
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length()) {
            int c = s.codePointAt(i);
            if (!strippable(c, chars)) {
                break;
            }
            i += Character.charCount(c);
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int i = s.length();
        while (i > 0) {
            int c = s.codePointBefore(i);
            if (!strippable(c, chars)) {
                break;
            }
            i -= Character.charCount(c);
        }
        return s.substring(0, i);
    }

    /** {@code str.split(sep, maxsplit)}: with no separator, runs of whitespace split and empty parts drop. */
    static List<Object> split(String s, String sep, long maxSplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (maxSplit >= 0 && out.size() >= maxSplit) {
                    out.add(rstrip(s.substring(i), null));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int from = 0;
        while (maxSplit < 0 || out.size() < maxSplit) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    /** {@code str.rsplit(sep, maxsplit)}. */
    static List<Object> rsplit(String s, String sep, long maxSplit) {
        if (maxSplit < 0) {
            return split(s, sep, -1);
        }
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int j = s.length();
            while (true) {
                while (j > 0 && isSpace(s.charAt(j - 1))) {
                    j--;
                }
                if (j <= 0) {
                    break;
                }
                if (out.size() >= maxSplit) {
                    out.add(0, lstrip(s.substring(0, j), null));
                    break;
                }
                int i = j;
                while (i > 0 && !isSpace(s.charAt(i - 1))) {
                    i--;
                }
                out.add(0, s.substring(i, j));
                j = i;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int to = s.length();
        while (out.size() < maxSplit) {
            int at = s.lastIndexOf(sep, to - sep.length());
            if (at < 0) {
                break;
            }
            out.add(0, s.substring(at + sep.length(), to));
            to = at;
        }
        out.add(0, s.substring(0, to));
        return out;
    }

    /** {@code str.splitlines()} (without line ends). */
    static List<Object> splitlines(String s) {
        List<Object> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e || c == 0x85
                    || c == 0x2028 || c == 0x2029) {
                out.add(s.substring(start, i));
                i += c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n' ? 2 : 1;
                start = i;
            } else {
                i++;
            }
        }
        if (start < n) {
            out.add(s.substring(start));
        }
        return out;
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static boolean cased(int c) {
        return Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
    }

    /** Python's {@code str.title}: a cased character after an uncased one is title-cased, others lowered. */
    static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (previousCased) {
                b.append(new String(Character.toChars(c)).toLowerCase(Locale.ROOT));
            } else {
                b.appendCodePoint(Character.toTitleCase(c));
            }
            previousCased = cased(c);
        }
        return b.toString();
    }

    /** Python's {@code str.capitalize}: the first character upper-cased, the rest lowered. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int c = s.codePointAt(0);
        return new String(Character.toChars(Character.toTitleCase(c)))
                + s.substring(Character.charCount(c)).toLowerCase(Locale.ROOT);
    }

    /** {@code str.replace(old, new, count)}. */
    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            if (old.isEmpty()) {
                StringBuilder b = new StringBuilder(replacement);
                s.codePoints().forEach(c -> b.appendCodePoint(c).append(replacement));
                return b.toString();
            }
            return s.replace(old, replacement);
        }
        StringBuilder b = new StringBuilder();
        int from = 0;
        long done = 0;
        while (done < count) {
            int at = old.isEmpty() ? (from <= s.length() ? from : -1) : s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            b.append(s, from, at).append(replacement);
            if (old.isEmpty()) {
                if (at < s.length()) {
                    int c = s.codePointAt(at);
                    b.appendCodePoint(c);
                    from = at + Character.charCount(c);
                } else {
                    from = at + 1;
                }
            } else {
                from = at + old.length();
            }
            done++;
        }
        if (from <= s.length()) {
            b.append(s.substring(Math.min(from, s.length())));
        }
        return b.toString();
    }

    /** The number of code points (Python's {@code len}). */
    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    /** The code points of a string as one-character strings. */
    static List<Object> characters(String s) {
        List<Object> out = new ArrayList<>(s.length());
        s.codePoints().forEach(c -> out.add(new String(Character.toChars(c))));
        return out;
    }

    /** Python's {@code repr} of a string. */
    static String repr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder b = new StringBuilder().append(quote);
        s.codePoints().forEach(c -> {
            if (c == quote || c == '\\') {
                b.append('\\').appendCodePoint(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append(quote).toString();
    }
}
