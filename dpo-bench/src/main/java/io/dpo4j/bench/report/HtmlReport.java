package io.dpo4j.bench.report;

import io.dpo4j.bench.scenario.Chart;
import io.dpo4j.bench.scenario.ScenarioReport;
import io.dpo4j.bench.scenario.Table;
import io.dpo4j.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML report: every chart is a PNG embedded as a data URI (and also written next
 * to the report under {@code plots/}), so the one file can be mailed or archived.
 */
public final class HtmlReport {

    private HtmlReport() {
    }

    /** Writes {@code report.html} and {@code plots/*.png} into {@code folder}. */
    public static Path write(Path folder, String title, Map<String, String> provenance, List<Table> summary,
            List<ScenarioReport> scenarios) throws IOException {
        Path plots = folder.resolve("plots");
        Files.createDirectories(plots);
        StringBuilder h = head(title);
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        for (Table t : summary) {
            table(h, t);
        }
        for (ScenarioReport s : scenarios) {
            String cls = s.verdict().name().toLowerCase(Locale.ROOT).replace('_', '-');
            h.append("<h2 id=\"").append(esc(s.id())).append("\">").append(esc(s.title())).append("</h2>\n");
            h.append("<p><b>Claim.</b> ").append(esc(s.claim())).append("</p>\n");
            if (!s.design().isEmpty()) {
                h.append("<p><b>Design.</b></p><ul>");
                s.design().forEach(d -> h.append("<li>").append(esc(d)).append("</li>"));
                h.append("</ul>\n");
            }
            if (!s.rules().isEmpty()) {
                h.append("<p><b>Verdict rules</b> (as written in the suite file, with what each measured):</p><ul>");
                s.rules().forEach(d -> h.append("<li>").append(esc(d)).append("</li>"));
                h.append("</ul>\n");
            }
            h.append("<p><b>Verdict: <span class=\"").append(cls).append("\">").append(esc(s.verdict().label()))
                    .append("</span>.</b> ").append(esc(s.reason())).append("</p>\n");
            h.append(String.format(Locale.ROOT, "<p><small>wall time %.1f s</small></p>%n", s.seconds()));
            for (Chart c : s.charts()) {
                byte[] png = ChartRenderer.png(c, 900, 520);
                String file = s.id() + "-" + c.id() + ".png";
                AtomicFiles.write(plots.resolve(file), out -> out.write(png));
                h.append("<figure><img alt=\"").append(esc(c.title())).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(png)).append("\"><figcaption><small>plots/")
                        .append(esc(file)).append("</small></figcaption></figure>\n");
            }
            for (Table t : s.tables()) {
                table(h, t);
            }
        }
        h.append("<h2>Provenance</h2>\n<table>");
        provenance.forEach((k, v) -> h.append("<tr><th>").append(esc(k)).append("</th><td><code>").append(esc(v))
                .append("</code></td></tr>"));
        h.append("</table>\n</body></html>\n");
        Path report = folder.resolve("report.html");
        AtomicFiles.writeString(report, h.toString());
        return report;
    }

    /** The page's head and style, up to the opened body. */
    static StringBuilder head(String title) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;"
                        + "padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}"
                        + "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;font-size:.9em}"
                        + "th{background:#f3f3f3}.reproduced{color:#1a7f37;font-weight:bold}"
                        + ".not-reproduced{color:#cf222e;font-weight:bold}.inconclusive{color:#9a6700;font-weight:bold}"
                        + "img{max-width:100%;border:1px solid #eee}code{background:#f6f8fa;padding:0 .2em}"
                        + "pre{background:#f6f8fa;padding:.5em;overflow-x:auto;font-size:.85em}"
                        + "details{margin:1em 0}</style></head><body>\n");
        return h;
    }

    /** A chart embedded as a PNG data URI, with a caption. */
    static void figure(StringBuilder h, Chart c, String caption) throws IOException {
        byte[] png = ChartRenderer.png(c, 900, 480);
        h.append("<figure><img alt=\"").append(esc(c.title())).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\">");
        if (caption != null) {
            h.append("<figcaption><small>").append(esc(caption)).append("</small></figcaption>");
        }
        h.append("</figure>\n");
    }

    static void table(StringBuilder h, Table t) {
        if (t.title() != null && !t.title().isEmpty()) {
            h.append("<h3>").append(esc(t.title())).append("</h3>\n");
        }
        h.append("<table><tr>");
        t.header().forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
        h.append("</tr>\n");
        for (List<String> r : t.rows()) {
            h.append("<tr>");
            r.forEach(c -> h.append("<td>").append(esc(c)).append("</td>"));
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
