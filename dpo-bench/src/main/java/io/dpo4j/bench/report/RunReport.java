package io.dpo4j.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.bench.scenario.Chart;
import io.dpo4j.bench.scenario.Table;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report of one training run ({@code dpo report RUN_FOLDER}, and written by {@code dpo train} at
 * the end of every run): one self-contained {@code report.html} in the run folder with the curves of
 * {@code metrics.jsonl} — loss, preference accuracy, reward margin, the chosen and rejected
 * log-ratios log π/π_ref, sampled length and true reward — training steps and held-out evaluations
 * side by side, the start and end of every held-out metric, the diagnostics of {@code summary.json},
 * the last evaluation's samples and the resolved configuration.
 */
public final class RunReport {

    /** The report's file name in the run folder. */
    public static final String FILE = "report.html";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The curves: title, training metric, evaluation metric, y label. */
    private static final String[][] CURVES = {
        {"Loss", "loss", "eval/loss", "loss"},
        {"Preference accuracy (chosen reward > rejected)", "rewards/accuracies", "eval/rewards/accuracies", "fraction"},
        {"Reward margin (implicit reward, chosen − rejected)", "rewards/margins", "eval/rewards/margins", "reward"},
        {"Chosen log-ratio log π(yw)/π_ref(yw)", "logratios/chosen", "eval/logratios/chosen", "nats"},
        {"Rejected log-ratio log π(yl)/π_ref(yl)", "logratios/rejected", "eval/logratios/rejected", "nats"},
        {"Mean length of sampled responses", null, "eval/sample_length", "tokens"},
        {"Mean true reward of sampled responses", null, "eval/sample_reward", "reward"},
        {"Gradient norm (before clipping)", "grad_norm", null, "norm"},
    };

    private RunReport() {
    }

    /** Reads a run folder and writes its {@code report.html}; returns the file. */
    public static Path write(Path run) throws IOException {
        Path metrics = run.resolve("metrics.jsonl");
        if (!Files.isRegularFile(metrics)) {
            throw new DpoException(run + ": no metrics.jsonl — not a dpo run folder (a run folder holds "
                    + "metrics.jsonl, summary.json and config.resolved.yaml)");
        }
        List<JsonNode> train = new ArrayList<>();
        List<JsonNode> eval = new ArrayList<>();
        List<String> lines = Files.readAllLines(metrics, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode row;
            try {
                row = JSON.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new DpoException(metrics + " line " + (i + 1) + ": not a JSON object ("
                        + e.getOriginalMessage() + ")");
            }
            if (row == null || !row.isObject() || !row.path("step").canConvertToLong()) {
                throw new DpoException(metrics + " line " + (i + 1) + ": field step: expected an integer step, found "
                        + (row == null ? "nothing" : row.path("step").toString()));
            }
            String split = row.path("split").asText();
            if ("train".equals(split)) {
                train.add(row);
            } else if ("eval".equals(split)) {
                eval.add(row);
            } else {
                throw new DpoException(metrics + " line " + (i + 1) + ": field split: expected \"train\" or \"eval\", "
                        + "found " + row.path("split"));
            }
        }
        JsonNode summary = readJson(run.resolve("summary.json"));
        String title = "dpo4j training run — " + run.toAbsolutePath().normalize().getFileName();
        StringBuilder h = HtmlReport.head(title);
        h.append("<h1>").append(HtmlReport.esc(title)).append("</h1>\n");
        h.append("<p><code>").append(HtmlReport.esc(run.toAbsolutePath().normalize().toString())).append("</code>: ")
                .append(train.size()).append(" training steps and ").append(eval.size())
                .append(" held-out evaluations in metrics.jsonl");
        if (summary != null && summary.has("seconds")) {
            h.append(String.format(Locale.ROOT, "; %d steps in %.1f s", summary.path("steps").asLong(),
                    summary.path("seconds").asDouble()));
        }
        h.append(".</p>\n");
        HtmlReport.table(h, heldOut(eval));
        h.append("<h2>Diagnostics</h2>\n");
        List<String> warnings = new ArrayList<>();
        if (summary != null) {
            summary.path("warnings").forEach(w -> warnings.add(w.asText()));
        }
        if (summary == null) {
            h.append("<p>No summary.json (the run did not finish): no diagnostics.</p>\n");
        } else if (warnings.isEmpty()) {
            h.append("<p>None: the run raised no diagnostic.</p>\n");
        } else {
            h.append("<ul>");
            warnings.forEach(w -> h.append("<li>").append(HtmlReport.esc(w)).append("</li>"));
            h.append("</ul>\n");
        }
        h.append("<h2>Curves</h2>\n");
        int drawn = 0;
        for (String[] c : CURVES) {
            Chart chart = curve(c, train, eval);
            if (chart != null) {
                HtmlReport.figure(h, chart, "training steps: every step of metrics.jsonl; held-out: each evaluation");
                drawn++;
            }
        }
        if (drawn == 0) {
            h.append("<p>metrics.jsonl holds no curve to draw yet.</p>\n");
        }
        samples(h, run.resolve("samples"));
        Path config = run.resolve("config.resolved.yaml");
        if (Files.isRegularFile(config)) {
            h.append("<h2>Configuration</h2>\n<details><summary>config.resolved.yaml</summary><pre>")
                    .append(HtmlReport.esc(Files.readString(config, StandardCharsets.UTF_8))).append("</pre></details>\n");
        }
        h.append("</body></html>\n");
        Path out = run.resolve(FILE);
        AtomicFiles.writeString(out, h.toString());
        return out;
    }

    private static JsonNode readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new DpoException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    /** Every held-out metric at the first and last evaluation. */
    static Table heldOut(List<JsonNode> eval) {
        List<List<String>> rows = new ArrayList<>();
        if (!eval.isEmpty()) {
            JsonNode first = eval.get(0);
            JsonNode last = eval.get(eval.size() - 1);
            first.fieldNames().forEachRemaining(k -> {
                if (k.startsWith("eval/")) {
                    rows.add(List.of(k.substring(5), num(first.get(k)), num(last.get(k))));
                }
            });
            return new Table("Held-out metrics: step " + first.path("step").asLong() + " and step "
                    + last.path("step").asLong(), List.of("metric", "start", "end"), rows);
        }
        return new Table("Held-out metrics", List.of("metric", "start", "end"), rows);
    }

    private static String num(JsonNode v) {
        if (v == null || v.isNull()) {
            return "-";
        }
        if (v.isNumber()) {
            return String.format(Locale.ROOT, "%.4f", v.asDouble());
        }
        return v.asText();
    }

    /** A curve of a training metric and its held-out counterpart (null when neither is logged). */
    static Chart curve(String[] c, List<JsonNode> train, List<JsonNode> eval) {
        List<Chart.Series> series = new ArrayList<>();
        if (c[1] != null) {
            Chart.Series s = series("training step", train, c[1]);
            if (s != null) {
                series.add(s);
            }
        }
        if (c[2] != null) {
            Chart.Series s = series("held-out", eval, c[2]);
            if (s != null) {
                series.add(s);
            }
        }
        if (series.isEmpty()) {
            return null;
        }
        String id = c[2] != null ? c[2] : c[1];
        return new Chart(id.replaceAll("[^A-Za-z0-9]+", "-"), c[0], "step", c[3], false, series);
    }

    private static Chart.Series series(String name, List<JsonNode> rows, String key) {
        List<double[]> pts = new ArrayList<>();
        for (JsonNode r : rows) {
            JsonNode v = r.get(key);
            if (v != null && v.isNumber() && Double.isFinite(v.asDouble())) {
                pts.add(new double[] {r.path("step").asDouble(), v.asDouble()});
            }
        }
        if (pts.isEmpty()) {
            return null;
        }
        return Chart.Series.of(name, pts.stream().mapToDouble(p -> p[0]).toArray(),
                pts.stream().mapToDouble(p -> p[1]).toArray());
    }

    /** The last evaluation's sampled responses (the first few), when the run kept samples. */
    private static void samples(StringBuilder h, Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        List<Path> files;
        try (var s = Files.list(folder)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
        if (files.isEmpty()) {
            return;
        }
        Path last = files.get(files.size() - 1);
        List<List<String>> rows = new ArrayList<>();
        int unreadable = 0;
        for (String line : Files.readAllLines(last, StandardCharsets.UTF_8)) {
            if (line.isBlank() || rows.size() >= 8) {
                continue;
            }
            try {
                JsonNode n = JSON.readTree(line);
                rows.add(List.of(n.path("prompt").asText(""), n.path("completion").asText(""),
                        n.has("policy_logp") ? num(n.get("policy_logp")) : "-"));
            } catch (IOException e) {
                unreadable++;
            }
        }
        h.append("<h2>Samples</h2>\n");
        HtmlReport.table(h, new Table("The first responses sampled at the last evaluation (" + last.getFileName() + ")"
                + (unreadable > 0 ? "; " + unreadable + " unreadable lines skipped" : ""), List.of("prompt", "response",
                        "policy log-prob"), rows));
    }
}
