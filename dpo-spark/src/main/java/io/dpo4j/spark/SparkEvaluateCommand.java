package io.dpo4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.cli.DataPipeline;
import io.dpo4j.cli.Registries;
import io.dpo4j.cli.ScoreRecords;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.train.ModelHub;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code dpo spark evaluate}: {@code dpo score} over a large evaluation set on Spark. The driver reads and
 * validates the rows through training's data pipeline (a bad row stops it with file, line and field,
 * before Spark starts), tasks score batches of rows under the policy (and the reference), and the driver
 * writes {@code OUT/rows.jsonl} — the lines {@code dpo score} prints —, {@code OUT/rows.parquet} and
 * {@code OUT/summary.json} (accuracy, mean margin and rewards), replacing {@code OUT} atomically.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Score an evaluation set on Spark as dpo score does: per-row log-probs, and with --reference "
                + "the implicit rewards beta*(policy - reference), margins and whether each pair is ranked correctly; "
                + "writes OUT/rows.jsonl, OUT/rows.parquet and OUT/summary.json (accuracy, mean margin)."})
final class SparkEvaluateCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    SparkCommand parent;

    @Mixin
    SparkOptions spark;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The policy (Hugging Face folder).")
    Path model;

    @Option(names = "--reference", paramLabel = "DIR", description = "The reference model (same tokenizer).")
    Path reference;

    @Option(names = "--data", required = true, arity = "1..*", paramLabel = "FILE",
            description = "Evaluation data: JSON Lines / JSON in any format dpo train reads, or Parquet.")
    List<Path> data;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A dpo train configuration whose data section (format, on_bad_row, lengths, add_bos) applies.")
    Path config;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The output folder (replaced).")
    Path out;

    @Option(names = "--beta", paramLabel = "BETA", defaultValue = "0.1",
            description = "Reward scale: reward = beta * (policy - reference). Default: ${DEFAULT-VALUE}.")
    double beta;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8",
            description = "Sequences per forward pass (a pair is two), as for dpo score. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new DpoException("--beta " + beta + ": expected a positive number");
        }
        if (batchSize < 1) {
            throw new DpoException("--batch-size " + batchSize + ": expected at least 1");
        }
        PrintWriter err = parent.spec.commandLine().getErr();
        PrintWriter stdout = parent.spec.commandLine().getOut();
        TrainConfig.Data settings = DataPipeline.settings(config, Registries.of(parent.root()));
        SparkSession session = null;
        try (DataPipeline pipeline = DataPipeline.open(model, settings)) {
            ModelHub.requireModelFolder(model, "--model");
            if (reference != null) {
                ModelHub.requireModelFolder(reference, "--reference");
                LlamaConfig ref = LlamaConfig.read(reference.resolve(HuggingFaceCheckpoint.CONFIG));
                if (ref.vocabSize() != pipeline.vocabularySize()) {
                    throw new DpoException("--reference " + reference + ": its vocabulary has " + ref.vocabSize()
                            + " tokens but the model's has " + pipeline.vocabularySize()
                            + "; the reference must share the model's tokenizer");
                }
            }
            List<Path> files = new ArrayList<>();
            for (Path f : data) {
                if (ParquetData.isParquet(f.toString())) {
                    if (session == null) {
                        session = spark.session("dpo spark evaluate");
                    }
                    Path converted = out.toAbsolutePath().getParent().resolve("." + out.getFileName() + ".input");
                    files.add(ParquetData.toJsonLines(session, f, converted, err));
                } else {
                    files.add(f);
                }
            }
            DataPipeline.Result result = pipeline.tokenize(files, err);
            List<DataPipeline.Row> kept = result.rows().stream().filter(DataPipeline.Row::kept).toList();
            if (kept.isEmpty()) {
                throw new DpoException("no row is left to score after tokenisation (see the summary above)");
            }
            err.flush();
            if (session == null) {
                session = spark.session("dpo spark evaluate");
            }
            List<EvaluationJob.RowBatch> batches = EvaluationJob.batches(kept, batchSize);
            int partitions = spark.partitions(session, batches.size());
            err.println("dpo spark evaluate: " + kept.size() + " rows in " + batches.size() + " batches on "
                    + session.sparkContext().master() + " (" + partitions + " partitions)");
            err.flush();
            long start = System.nanoTime();
            List<ScoredBatch> scored;
            try {
                scored = EvaluationJob.run(session, batches, model.toAbsolutePath().toString(),
                        reference == null ? null : reference.toAbsolutePath().toString(), pipeline.special().pad(),
                        partitions);
            } catch (Exception e) { // SparkException is checked, and Scala throws it undeclared
                throw SparkFailures.describe("dpo spark evaluate", e);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < batches.size(); i++) {
                EvaluationJob.RowBatch b = batches.get(i);
                ScoredBatch s = scored.get(i);
                int k = 0;
                for (DataPipeline.Row row : b.rows()) {
                    int n = ScoreRecords.sequences(row);
                    lines.add(ScoreRecords.record(row, EvaluationJob.scores(s.tokens()).subList(k, k + n),
                            s.referenceTokens() == null ? null : EvaluationJob.scores(s.referenceTokens())
                                    .subList(k, k + n), beta, model, reference));
                    k += n;
                }
            }
            Map<String, Object> summary = summary(lines, seconds, session.sparkContext().master(), partitions);
            SparkSession active = session;
            AtomicFiles.writeDirectory(out, tmp -> {
                StringBuilder text = new StringBuilder();
                lines.forEach(l -> text.append(l).append('\n'));
                Files.writeString(tmp.resolve("rows.jsonl"), text.toString(), StandardCharsets.UTF_8);
                active.read().json(active.createDataset(lines, Encoders.STRING())).coalesce(1).write()
                        .parquet(tmp.resolve("rows.parquet").toAbsolutePath().toString());
                Files.writeString(tmp.resolve("summary.json"), JSON.writerWithDefaultPrettyPrinter()
                        .writeValueAsString(summary), StandardCharsets.UTF_8);
            });
            stdout.printf(Locale.ROOT, "evaluated %d rows in %.1f s on %s (%d partitions): %s%n", lines.size(), seconds,
                    session.sparkContext().master(), partitions, headline(summary));
            stdout.println("files: " + out.resolve("rows.jsonl") + ", " + out.resolve("rows.parquet") + ", "
                    + out.resolve("summary.json"));
            stdout.flush();
            return 0;
        } finally {
            spark.stop(session);
        }
    }

    private static String headline(Map<String, Object> s) {
        Object acc = s.containsKey("rewards/accuracies") ? s.get("rewards/accuracies") : s.get("logps/accuracies");
        return "pairs " + s.get("pairs") + (acc == null ? "" : String.format(Locale.ROOT, ", %s %.4f",
                s.containsKey("rewards/accuracies") ? "accuracy" : "accuracy (policy log-probs)", (Double) acc))
                + (s.containsKey("rewards/margins") ? String.format(Locale.ROOT, ", mean margin %.6f",
                        (Double) s.get("rewards/margins")) : "");
    }

    /** The means over the rows: TRL's metric names where they apply. */
    private Map<String, Object> summary(List<String> lines, double seconds, String master, int partitions)
            throws java.io.IOException {
        int pairs = 0;
        int unpaired = 0;
        double chosenLogp = 0;
        double rejectedLogp = 0;
        int logpCorrect = 0;
        double chosenReward = 0;
        double rejectedReward = 0;
        double margin = 0;
        int correct = 0;
        double completionReward = 0;
        for (String line : lines) {
            JsonNode row = JSON.readTree(line);
            if (row.has("rejected_logp")) {
                pairs++;
                chosenLogp += row.get("chosen_logp").asDouble();
                rejectedLogp += row.get("rejected_logp").asDouble();
                logpCorrect += row.get("chosen_logp").asDouble() > row.get("rejected_logp").asDouble() ? 1 : 0;
                if (row.has("reward_margin")) {
                    chosenReward += row.get("chosen_reward").asDouble();
                    rejectedReward += row.get("rejected_reward").asDouble();
                    margin += row.get("reward_margin").asDouble();
                    correct += row.get("correct").asBoolean() ? 1 : 0;
                }
            } else {
                unpaired++;
                if (row.has("completion_reward")) {
                    completionReward += row.get("completion_reward").asDouble();
                }
            }
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", model.toString());
        s.put("reference", reference == null ? null : reference.toString());
        s.put("beta", beta);
        s.put("rows", lines.size());
        s.put("pairs", pairs);
        s.put("unpaired", unpaired);
        if (pairs > 0) {
            s.put("logps/chosen", chosenLogp / pairs);
            s.put("logps/rejected", rejectedLogp / pairs);
            s.put("logps/accuracies", (double) logpCorrect / pairs);
            if (reference != null) {
                s.put("rewards/chosen", chosenReward / pairs);
                s.put("rewards/rejected", rejectedReward / pairs);
                s.put("rewards/margins", margin / pairs);
                s.put("rewards/accuracies", (double) correct / pairs);
            }
        }
        if (unpaired > 0 && reference != null) {
            s.put("rewards/completion", completionReward / unpaired);
        }
        s.put("spark_master", master);
        s.put("partitions", partitions);
        s.put("seconds", seconds);
        return s;
    }
}
