package io.dpo4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.cli.Registries;
import io.dpo4j.cli.TrainCommand;
import io.dpo4j.cli.TrainJob;
import io.dpo4j.cli.config.ConfigFiles;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.train.ReferenceCache;
import io.dpo4j.train.ReferencePlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code dpo spark score}: the reference pass of a training configuration on Spark. The driver prepares
 * the run exactly as {@code dpo train} does ({@link TrainJob#referencePlan()}: the same data checks,
 * tokenisation, lengths, fingerprints and cache folder — a bad row stops it here, with file, line and
 * field, before Spark starts), the executors score the sequences, and the driver writes the very
 * reference cache file {@code dpo train} reads, atomically, so that {@code dpo train} with the same
 * configuration runs no reference pass.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Compute the reference statistics of a dpo train configuration on Spark and write them as the "
                + "reference cache dpo train reads (CACHE/reference-KEY.bin): dpo train with the same configuration, "
                + "--out and --cache then runs no reference pass.",
                "Data files may be JSON Lines in every format dpo train reads, or Parquet (converted to JSON Lines in "
                        + "CACHE/parquet/, which dpo train then reads)."})
final class SparkScoreCommand implements Callable<Integer> {

    @ParentCommand
    SparkCommand parent;

    @Mixin
    SparkOptions spark;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG",
            description = "The training configuration (YAML); default: the embedded default run.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key, as for dpo train; repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = {"-o", "--out"}, paramLabel = "DIR",
            description = "The run folder dpo train will use (only its cache folder matters here).")
    Path out;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "The cache folder (default: .cache beside the run folder, as for dpo train).")
    Path cache;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = parent.spec.commandLine().getErr();
        PrintWriter stdout = parent.spec.commandLine().getOut();
        String source = configFile == null ? "the embedded default configuration" : configFile.toString();
        ObjectNode tree = configFile == null ? TrainCommand.defaultTree() : ConfigFiles.load(configFile);
        ConfigFiles.applyOverrides(tree, overrides);
        if (out != null) {
            tree.put("output", out.toString());
        } else if (!tree.has("output")) {
            // dpo train's default run folder is runs/train-TIMESTAMP: its cache folder is runs/.cache.
            tree.put("output", Path.of("runs", "train-spark").toString());
        }
        Path cacheDir = cache != null ? cache : TrainJob.defaultCacheDir(Path.of(tree.get("output").asText()));
        SparkSession session = null;
        try {
            List<String> parquet = parquetFiles(tree);
            if (!parquet.isEmpty()) {
                session = spark.session("dpo spark score");
                convertParquet(tree, session, cacheDir.resolve("parquet"), err);
            }
            TrainConfig config = TrainConfig.read(source, tree, Registries.of(parent.root()));
            err.println("dpo spark score: " + source + " (objective " + String.join(" + ", config.objectives().stream()
                    .map(TrainConfig.ObjectiveSpec::id).toList()) + "): preparing the data on the driver");
            err.flush();
            ReferencePlan plan = new TrainJob(config, new TrainJob.Options(false, false, cacheDir), err)
                    .referencePlan();
            if (session == null) {
                session = spark.session("dpo spark score");
            }
            int partitions = spark.partitions(session, ReferenceScoringJob.batches(plan).size());
            err.println("reference statistics: scoring " + plan.size() + " sequences with " + plan.referenceFolder()
                    + (plan.adapterFolder() == null ? "" : " and the adapter " + plan.adapterFolder()) + " on Spark ("
                    + session.sparkContext().master() + ", " + partitions + " partitions, " + plan.batchRows()
                    + " a batch)");
            err.flush();
            long start = System.nanoTime();
            ReferenceCache values;
            try {
                values = ReferenceScoringJob.run(session, plan, new ReferenceScoringJob.KernelSpec(
                        config.kernel().implementation(), (long) config.kernel().memoryBudgetMb() << 20), partitions);
            } catch (Exception e) { // SparkException is checked, and Scala throws it undeclared
                throw SparkFailures.describe("dpo spark score", e);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            values.save(plan.cacheFile());
            stdout.printf(Locale.ROOT, "scored %d sequences in %.1f s on %s (%d partitions); wrote %s%n", plan.size(),
                    seconds, session.sparkContext().master(), partitions, plan.cacheFile());
            stdout.println("dpo train " + (configFile == null ? "" : configFile + " ") + "with the same settings"
                    + (out != null ? " and --out " + out : "") + (cache != null ? " and --cache " + cache : "")
                    + " reuses it: no reference pass");
            stdout.flush();
            return 0;
        } finally {
            spark.stop(session);
        }
    }

    private static List<String> parquetFiles(ObjectNode tree) {
        List<String> found = new ArrayList<>();
        JsonNode data = tree.get("data");
        if (data == null || !data.isObject()) {
            return found;
        }
        for (String key : List.of("train", "validation")) {
            JsonNode files = data.get(key);
            if (files != null && files.isArray()) {
                files.forEach(f -> {
                    if (f.isTextual() && ParquetData.isParquet(f.asText())) {
                        found.add(f.asText());
                    }
                });
            } else if (files != null && files.isTextual() && ParquetData.isParquet(files.asText())) {
                found.add(files.asText());
            }
        }
        return found;
    }

    /** Replaces every Parquet data file of the tree by its JSON Lines conversion. */
    static void convertParquet(ObjectNode tree, SparkSession session, Path folder, PrintWriter log)
            throws java.io.IOException {
        ObjectNode data = (ObjectNode) tree.get("data");
        for (String key : List.of("train", "validation")) {
            JsonNode files = data.get(key);
            if (files == null) {
                continue;
            }
            ArrayNode replaced = data.arrayNode();
            for (JsonNode f : files.isArray() ? files : data.arrayNode().add(files)) {
                if (f.isTextual() && ParquetData.isParquet(f.asText())) {
                    replaced.add(ParquetData.toJsonLines(session, Path.of(f.asText()), folder, log).toString());
                } else {
                    replaced.add(f);
                }
            }
            data.set(key, replaced);
        }
        log.println("data: dpo train reads the converted files: --set data.train=" + data.get("train")
                + (data.has("validation") ? " --set data.validation=" + data.get("validation") : ""));
        log.flush();
    }
}
