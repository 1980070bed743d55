package io.dpo4j.bench.report;

import io.dpo4j.bench.scenario.Table;
import java.util.List;

/** Renders a {@link Table} as aligned plain text (the terminal summary) or as Markdown. */
public final class TextTable {

    private TextTable() {
    }

    /** Aligned columns separated by two spaces, with a rule under the header. */
    public static String plain(Table t) {
        int[] w = widths(t);
        StringBuilder sb = new StringBuilder();
        row(sb, t.header(), w, "  ");
        int total = 0;
        for (int x : w) {
            total += x + 2;
        }
        sb.append("-".repeat(Math.max(0, total - 2))).append('\n');
        t.rows().forEach(r -> row(sb, r, w, "  "));
        return sb.toString();
    }

    /** A Markdown table. */
    public static String markdown(Table t) {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", t.header())).append(" |\n");
        sb.append("|").append("---|".repeat(t.header().size())).append('\n');
        for (List<String> r : t.rows()) {
            sb.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        return sb.toString();
    }

    private static int[] widths(Table t) {
        int[] w = new int[t.header().size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = t.header().get(i).length();
        }
        for (List<String> r : t.rows()) {
            for (int i = 0; i < Math.min(w.length, r.size()); i++) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        return w;
    }

    private static void row(StringBuilder sb, List<String> cells, int[] w, String sep) {
        for (int i = 0; i < w.length; i++) {
            String c = i < cells.size() ? cells.get(i) : "";
            sb.append(c).append(" ".repeat(w[i] - c.length()));
            if (i < w.length - 1) {
                sb.append(sep);
            }
        }
        sb.append('\n');
    }
}
