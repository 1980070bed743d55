package io.dpo4j.cli;

import io.dpo4j.core.DpoException;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedExample;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.data.TokenizedUnpaired;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.scoring.SequenceScore;
import io.dpo4j.core.scoring.TokenScorer;
import io.dpo4j.cli.DataPipeline;
import io.dpo4j.core.train.ModelHub;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code dpo score}: the response log-probabilities of every row of preference data files under a
 * model (and, with {@code --reference}, under a reference model, with DPO's implicit rewards), one
 * JSON object per row. Rows go through training's data pipeline ({@link DataPipeline}): every format
 * {@code dpo train} reads, the chat template, the special-token rule and the length limits, so the
 * ids scored are the ids training would use ({@code dpo data inspect} shows them).
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score preference data: for every row, the summed and per-token log-probabilities of its "
                + "responses (chosen and rejected, or the completion) under a model, and with --reference the "
                + "reference log-probabilities, the implicit rewards beta*(policy - reference) and whether a pair is "
                + "ranked correctly. Prints JSON lines as rows are scored.",
                "Rows are read and tokenised exactly as dpo train reads them (every format, chat templates, EOS "
                        + "appended to responses, the length limits of --config or the model's defaults); response "
                        + "token t is scored by the logits at the position before it."})
public final class ScoreCommand implements Callable<Integer> {

    @ParentCommand
    DpoCommand root;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model folder (config.json, *.safetensors, tokenizer.json).")
    Path model;

    @Option(names = "--data", required = true, arity = "1..*", paramLabel = "FILE",
            description = "Preference data files (JSON Lines or JSON arrays in any format dpo train reads).")
    List<Path> data;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A dpo train configuration whose data section (format, on_bad_row, lengths, add_bos) applies.")
    Path config;

    @Option(names = "--reference", paramLabel = "DIR",
            description = "Reference model folder (same tokenizer); adds reference log-probs and implicit rewards.")
    Path reference;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Write the JSON lines here instead of stdout: to FILE.partial as rows are scored, renamed to "
                    + "FILE when all are done.")
    Path out;

    @Option(names = "--beta", paramLabel = "BETA", defaultValue = "0.1",
            description = "Reward scale for --reference: reward = beta * (policy - reference). Default: ${DEFAULT-VALUE}.")
    double beta;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8",
            description = "Sequences per forward pass (a pair is two). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new DpoException("--beta " + beta + ": expected a positive number");
        }
        if (batchSize < 1) {
            throw new DpoException("--batch-size " + batchSize + ": expected at least 1");
        }
        PrintWriter err = root.spec.commandLine().getErr();
        TrainConfig.Data settings = DataPipeline.settings(config, Registries.of(root));
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
            DataPipeline.Result result = pipeline.tokenize(data, err);
            List<DataPipeline.Row> kept = result.rows().stream().filter(DataPipeline.Row::kept).toList();
            if (kept.isEmpty()) {
                throw new DpoException("no row is left to score after tokenisation (see the summary above)");
            }
            warnPastPositions(kept, pipeline.maxPositions(), err);
            err.flush();
            try (StreamedLines lines = StreamedLines.open(out, root.spec.commandLine().getOut())) {
                try {
                    score(pipeline, kept, lines);
                    lines.commit();
                } catch (RuntimeException e) {
                    if (lines.partial() != null) {
                        lines.flush();
                        err.println("dpo score: the rows scored before the failure are in " + lines.partial());
                        err.flush();
                    }
                    throw e;
                }
            }
        }
        return 0;
    }

    private static void warnPastPositions(List<DataPipeline.Row> kept, int maxPositions, PrintWriter err) {
        int over = 0;
        int longest = 0;
        for (DataPipeline.Row r : kept) {
            int length = r.trace().kept() instanceof TokenizedPair p ? p.length() : ((TokenizedUnpaired) r.trace().kept())
                    .length();
            longest = Math.max(longest, length);
            over += length > maxPositions ? 1 : 0;
        }
        if (over > 0) {
            err.println("warning: " + over + " of " + kept.size() + " rows are longer than the model's "
                    + "max_position_embeddings=" + maxPositions + " (the longest has " + longest + " tokens); their "
                    + "scores at later positions are extrapolated — lower data.max_length to cut them");
        }
    }

    private void score(DataPipeline pipeline, List<DataPipeline.Row> kept, StreamedLines lines) {
        int pad = pipeline.special().pad();
        try (LlamaModel policy = HuggingFaceCheckpoint.load(model);
                LlamaModel ref = reference == null ? null : HuggingFaceCheckpoint.load(reference)) {
            TokenScorer policyScorer = new TokenScorer(policy, pad);
            TokenScorer referenceScorer = ref == null ? null : new TokenScorer(ref, pad);
            int start = 0;
            while (start < kept.size()) {
                List<DataPipeline.Row> batch = new ArrayList<>();
                List<TokenIds> prompts = new ArrayList<>();
                List<TokenIds> responses = new ArrayList<>();
                while (start < kept.size() && (batch.isEmpty() || prompts.size() + sequences(kept.get(start)) <= batchSize)) {
                    DataPipeline.Row row = kept.get(start++);
                    batch.add(row);
                    TokenizedExample t = row.trace().kept();
                    if (t instanceof TokenizedPair p) {
                        prompts.add(p.prompt());
                        responses.add(p.chosen());
                        prompts.add(p.prompt());
                        responses.add(p.rejected());
                    } else {
                        TokenizedUnpaired u = (TokenizedUnpaired) t;
                        prompts.add(u.prompt());
                        responses.add(u.completion());
                    }
                }
                List<SequenceScore> scores = policyScorer.score(prompts, responses);
                List<SequenceScore> refScores = referenceScorer == null ? null : referenceScorer.score(prompts, responses);
                int k = 0;
                for (DataPipeline.Row row : batch) {
                    int n = sequences(row);
                    lines.line(ScoreRecords.record(row, scores.subList(k, k + n), refScores == null ? null
                            : refScores.subList(k, k + n), beta, model, reference));
                    k += n;
                }
                lines.flush();
            }
        }
    }

    private static int sequences(DataPipeline.Row row) {
        return ScoreRecords.sequences(row);
    }
}
