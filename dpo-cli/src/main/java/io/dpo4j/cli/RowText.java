package io.dpo4j.cli;

import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.tokenizer.TextTokenizer;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Text helpers of {@code dpo data inspect}: quoted texts with visible control characters, tokens, histograms. */
final class RowText {

    private static final int MAX_SHOWN_TOKENS = 200;

    private RowText() {
    }

    /** A text in quotes, with newlines, tabs and other control characters escaped so they are visible. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    static String ids(TokenIds ids) {
        StringBuilder b = new StringBuilder("[");
        int n = Math.min(ids.length(), MAX_SHOWN_TOKENS);
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : " ").append(ids.get(i));
        }
        if (ids.length() > n) {
            b.append(" … ").append(ids.length() - n).append(" more");
        }
        return b.append(']').toString();
    }

    /** Each id's text in brackets (its decoding), e.g. {@code [<|im_start|>][user][\n]}. */
    static String tokens(TokenIds ids, TextTokenizer tokenizer) {
        StringBuilder b = new StringBuilder();
        int n = Math.min(ids.length(), MAX_SHOWN_TOKENS);
        for (int i = 0; i < n; i++) {
            String piece = tokenizer.decode(new long[] {ids.get(i)}, false);
            String q = quote(piece);
            b.append('[').append(q, 1, q.length() - 1).append(']');
        }
        if (ids.length() > n) {
            b.append(" … ").append(ids.length() - n).append(" more");
        }
        return b.toString();
    }

    /** A histogram over power-of-two buckets (1, 2–3, 4–7, …), with min, median and max. */
    static void histogram(PrintWriter out, String what, List<Integer> lengths) {
        if (lengths.isEmpty()) {
            return;
        }
        List<Integer> sorted = lengths.stream().sorted().toList();
        out.printf(Locale.ROOT, "  %s: min %d, median %d, max %d%n", what, sorted.get(0), sorted.get(sorted.size() / 2),
                sorted.get(sorted.size() - 1));
        int top = 32 - Integer.numberOfLeadingZeros(Math.max(1, sorted.get(sorted.size() - 1)));
        long[] counts = new long[top + 1];
        for (int v : sorted) {
            counts[32 - Integer.numberOfLeadingZeros(Math.max(1, v)) - 1]++;
        }
        long most = 1;
        for (long c : counts) {
            most = Math.max(most, c);
        }
        int bottom = 32 - Integer.numberOfLeadingZeros(Math.max(1, sorted.get(0))) - 1;
        for (int k = bottom; k < top; k++) {
            int lo = 1 << k;
            int hi = (1 << (k + 1)) - 1;
            out.printf(Locale.ROOT, "    %12s %6d %s%n", lo == hi ? Integer.toString(lo) : lo + "–" + hi, counts[k],
                    "█".repeat((int) Math.ceil(30.0 * counts[k] / most)));
        }
    }
}
