package io.dpo4j.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dpo4j.bench.scenario.ScenarioReport;
import io.dpo4j.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Writes the results as {@code results.json} (with provenance) and {@code results.csv} (one row per cell). */
public final class ResultFiles {

    private ResultFiles() {
    }

    /** Writes both files into {@code folder}. */
    public static void write(Path folder, Map<String, String> provenance, Object resolvedSuite,
            List<ScenarioReport> scenarios) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("provenance", provenance);
        root.put("suite", resolvedSuite);
        List<Object> list = new ArrayList<>();
        for (ScenarioReport s : scenarios) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("title", s.title());
            m.put("claim", s.claim());
            m.put("design", s.design());
            m.put("rules", s.rules());
            m.put("verdict", s.verdict().label());
            m.put("reason", s.reason());
            m.put("seconds", s.seconds());
            m.put("rows", s.rows());
            list.add(m);
        }
        root.put("scenarios", list);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        AtomicFiles.writeString(folder.resolve("results.json"), json.writeValueAsString(root));

        Set<String> columns = new LinkedHashSet<>();
        columns.add("scenario");
        for (ScenarioReport s : scenarios) {
            s.rows().forEach(r -> columns.addAll(r.keySet()));
        }
        StringBuilder csv = new StringBuilder(String.join(",", columns.stream().map(ResultFiles::cell).toList()))
                .append('\n');
        for (ScenarioReport s : scenarios) {
            for (Map<String, Object> r : s.rows()) {
                List<String> cells = new ArrayList<>();
                for (String c : columns) {
                    cells.add(cell(c.equals("scenario") ? s.id() : r.get(c)));
                }
                csv.append(String.join(",", cells)).append('\n');
            }
        }
        AtomicFiles.writeString(folder.resolve("results.csv"), csv.toString());
    }

    private static String cell(Object v) {
        if (v == null) {
            return "";
        }
        String s = v instanceof Map<?, ?> || v instanceof List<?> ? v.toString() : String.valueOf(v);
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
