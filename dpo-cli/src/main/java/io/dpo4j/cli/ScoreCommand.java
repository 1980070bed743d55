package io.dpo4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.scoring.PairScorer;
import io.dpo4j.core.scoring.PreferenceRow;
import io.dpo4j.core.scoring.PreferenceRowReader;
import io.dpo4j.core.scoring.ResponseSequence;
import io.dpo4j.core.scoring.SequenceScore;
import io.dpo4j.core.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code dpo score}: the response log-probabilities of every preference pair in a JSONL file under a
 * model (and, with {@code --reference}, under a reference model, with DPO's implicit rewards), printed
 * as one JSON object per row.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score preference pairs: for every JSONL row (prompt, chosen, rejected), the summed and "
                + "per-token log-probabilities of both responses under a model, and with --reference the reference "
                + "log-probabilities, the implicit rewards beta*(policy - reference) and whether the pair is ranked "
                + "correctly. Prints JSON lines.",
                "Tokens: prompt and response are tokenised separately (no special tokens added), the response "
                        + "gets EOS appended, and response token t is scored by the logits at the position before it."})
public final class ScoreCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    DpoCommand root;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model folder (config.json, *.safetensors, tokenizer.json).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "JSONL file of {\"prompt\", \"chosen\", \"rejected\"} rows.")
    Path data;

    @Option(names = "--reference", paramLabel = "DIR",
            description = "Reference model folder (same tokenizer); adds reference log-probs and implicit rewards.")
    Path reference;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the JSONL here (atomically) instead of stdout.")
    Path out;

    @Option(names = "--beta", paramLabel = "BETA", defaultValue = "0.1",
            description = "Reward scale for --reference: reward = beta * (policy - reference). Default: ${DEFAULT-VALUE}.")
    double beta;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8",
            description = "Sequences per forward pass (each row is two). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new DpoException("--beta " + beta + ": expected a positive number");
        }
        if (batchSize < 1) {
            throw new DpoException("--batch-size " + batchSize + ": expected at least 1");
        }
        List<PreferenceRow> rows = PreferenceRowReader.read(data);
        List<SequenceScore> policyScores;
        List<SequenceScore> referenceScores = null;
        try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
            List<ResponseSequence> sequences;
            try (LlamaModel policy = HuggingFaceCheckpoint.load(model)) {
                PairScorer scorer = PairScorer.forModel(tokenizer, policy.config(), batchSize);
                sequences = scorer.sequences(data, rows);
                policyScores = scorer.score(policy, sequences);
            }
            if (reference != null) {
                try (LlamaModel ref = HuggingFaceCheckpoint.load(reference)) {
                    PairScorer scorer = PairScorer.forModel(tokenizer, ref.config(), batchSize);
                    referenceScores = scorer.score(ref, sequences);
                }
            }
        }
        List<String> lines = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            lines.add(JSON.writeValueAsString(record(rows.get(i), policyScores.get(2 * i), policyScores.get(2 * i + 1),
                    referenceScores == null ? null : referenceScores.get(2 * i),
                    referenceScores == null ? null : referenceScores.get(2 * i + 1))));
        }
        if (out == null) {
            PrintWriter stdout = root.spec.commandLine().getOut();
            lines.forEach(stdout::println);
            stdout.flush();
        } else {
            write(out, lines);
        }
        return 0;
    }

    private Map<String, Object> record(PreferenceRow row, SequenceScore chosen, SequenceScore rejected,
            SequenceScore refChosen, SequenceScore refRejected) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("line", row.line());
        json.put("prompt", row.prompt());
        json.put("chosen", row.chosen());
        json.put("rejected", row.rejected());
        json.put("chosen_logp", chosen.sum());
        json.put("chosen_tokens", chosen.tokens());
        json.put("chosen_token_logps", asDoubles(chosen));
        json.put("rejected_logp", rejected.sum());
        json.put("rejected_tokens", rejected.tokens());
        json.put("rejected_token_logps", asDoubles(rejected));
        if (refChosen != null) {
            json.put("reference_chosen_logp", refChosen.sum());
            json.put("reference_chosen_token_logps", asDoubles(refChosen));
            json.put("reference_rejected_logp", refRejected.sum());
            json.put("reference_rejected_token_logps", asDoubles(refRejected));
            double chosenReward = beta * (chosen.sum() - refChosen.sum());
            double rejectedReward = beta * (rejected.sum() - refRejected.sum());
            json.put("beta", beta);
            json.put("chosen_reward", chosenReward);
            json.put("rejected_reward", rejectedReward);
            json.put("reward_margin", chosenReward - rejectedReward);
            json.put("correct", chosenReward > rejectedReward);
        }
        return json;
    }

    /** Float values printed as the doubles they are exactly (e.g. -3.648714065551758). */
    private static double[] asDoubles(SequenceScore score) {
        double[] values = new double[score.tokens()];
        for (int i = 0; i < values.length; i++) {
            values[i] = score.tokenLogProbs()[i];
        }
        return values;
    }

    /** Writes the lines atomically (a temporary file next to {@code file}, then a rename). */
    private static void write(Path file, List<String> lines) {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line).append('\n'));
        try {
            AtomicFiles.writeString(file, text.toString());
        } catch (IOException e) {
            throw new DpoException(file + ": cannot write: " + e.getMessage(), e);
        }
    }
}
