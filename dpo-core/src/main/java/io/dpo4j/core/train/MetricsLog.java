package io.dpo4j.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per line — {@code {"split": "train"|"eval", "step": n, ...}}
 * — flushed as it is written, so a crash loses at most the line being written. On resume, lines
 * past the checkpoint's step are dropped, so a resumed run's log equals an uninterrupted one's.
 */
public final class MetricsLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final BufferedWriter out;

    private MetricsLog(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /** Starts a new log (replacing any old one). */
    public static MetricsLog create(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
    }

    /** Continues a log after a checkpoint of {@code step}: keeps only the lines up to that step. */
    public static MetricsLog resume(Path file, long step) throws IOException {
        if (Files.exists(file)) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    JsonNode n = JSON.readTree(line);
                    if (n != null && n.has("step") && n.get("step").asLong() <= step) {
                        kept.add(line);
                    }
                } catch (IOException e) {
                    // a line cut by the crash: dropped
                }
            }
            AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        }
        return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE));
    }

    /** Appends one record. Non-finite numbers are written as strings ("NaN", "Infinity"). */
    public synchronized void write(String split, long step, Map<String, ?> values) throws IOException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("split", split);
        row.put("step", step);
        values.forEach((k, v) -> row.put(k, v instanceof Double d && !Double.isFinite(d) ? d.toString() : v));
        try {
            out.write(JSON.writeValueAsString(row));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw io.dpo4j.core.io.ResourceFailures.withPath(file, e);
        }
    }

    /** The log file. */
    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
