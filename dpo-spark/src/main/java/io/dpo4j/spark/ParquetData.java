package io.dpo4j.spark;

import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.io.Checksums;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * Parquet preference data (how Hugging Face publishes data sets) read by Spark and written as the JSON
 * Lines file {@code dpo train} reads: each row becomes one JSON object whose fields are the columns
 * ({@code prompt}/{@code chosen}/{@code rejected}, {@code prompt}/{@code completion}/{@code label},
 * conversations as lists of {@code {role, content}} structs, …), row k on line k, so the project's own
 * loader then detects the format and validates every row exactly as for JSONL (bad rows are named by
 * that file and line).
 */
final class ParquetData {

    private ParquetData() {
    }

    /** True for a Parquet file or a folder of Parquet parts (by name). */
    static boolean isParquet(String path) {
        String name = path.toLowerCase(Locale.ROOT);
        return name.endsWith(".parquet") || name.endsWith(".parquet/") || Files.isDirectory(Path.of(path))
                && name.contains("parquet");
    }

    /**
     * Writes the rows of a Parquet file as JSON Lines in {@code folder} (named by the file and its
     * content's hash) and returns that file; an existing conversion of the same content is reused.
     */
    static Path toJsonLines(SparkSession spark, Path parquet, Path folder, PrintWriter log) throws IOException {
        if (!Files.exists(parquet)) {
            throw new io.dpo4j.core.DpoException(parquet + ": no such file");
        }
        String hash = Files.isRegularFile(parquet) ? Checksums.sha256(Files.readAllBytes(parquet)).substring(0, 16)
                : io.dpo4j.core.train.ModelHub.fingerprint(parquet).substring(0, 16);
        Path out = folder.resolve(parquet.getFileName() + "-" + hash + ".jsonl");
        if (Files.isRegularFile(out)) {
            log.println("data: " + parquet + " (Parquet) is read as " + out + " (converted before)");
            return out;
        }
        List<String> rows;
        try {
            rows = spark.read().parquet(parquet.toAbsolutePath().toString()).toJSON().collectAsList();
        } catch (RuntimeException e) {
            throw new io.dpo4j.core.DpoException(parquet + ": not a readable Parquet file ("
                    + e.getMessage().lines().findFirst().orElse(e.getClass().getSimpleName()) + ")", e);
        }
        Files.createDirectories(folder);
        StringBuilder text = new StringBuilder();
        for (String row : rows) {
            text.append(row).append('\n');
        }
        AtomicFiles.write(out, o -> o.write(text.toString().getBytes(StandardCharsets.UTF_8)));
        log.println("data: " + parquet + " (Parquet, " + rows.size() + " rows) is read as " + out + " (row k is line k)");
        return out;
    }
}
