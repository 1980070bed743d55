package io.dpo4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.data.TokenizedExample;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.scoring.SequenceScore;
import java.nio.file.Path;
import java.util.List;

/**
 * The JSON records of {@code dpo score}, one per row, shared by every job that scores rows the way it
 * does (the Spark evaluation job writes the same lines).
 */
public final class ScoreRecords {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ScoreRecords() {
    }

    /** Number of sequences a row scores: two for a pair, one for an unpaired example. */
    public static int sequences(DataPipeline.Row row) {
        return row.trace().kept() instanceof TokenizedPair ? 2 : 1;
    }

    /**
     * The JSON line of one row: its description ({@code RowJson}), each response's summed and per-token
     * log-probs, and with reference scores the reference log-probs, rewards {@code beta * (policy -
     * reference)}, the margin and whether the pair is ranked correctly.
     *
     * @param scores the row's policy scores (chosen then rejected, or the completion)
     * @param refScores the same under the reference, or null
     * @param model the policy folder (named when a score is not finite)
     * @param reference the reference folder (likewise), or null
     */
    public static String record(DataPipeline.Row row, List<SequenceScore> scores, List<SequenceScore> refScores,
            double beta, Path model, Path reference) {
        ObjectNode json = RowJson.describe(row);
        TokenizedExample t = row.trace().kept();
        List<String> sides = t instanceof TokenizedPair ? List.of("chosen", "rejected") : List.of("completion");
        for (int i = 0; i < sides.size(); i++) {
            SequenceScore s = scores.get(i);
            requireFinite(row, sides.get(i), s, model);
            json.put(sides.get(i) + "_logp", s.sum());
            json.put(sides.get(i) + "_tokens", s.tokens());
            put(json.putArray(sides.get(i) + "_token_logps"), s);
        }
        if (refScores != null) {
            for (int i = 0; i < sides.size(); i++) {
                requireFinite(row, sides.get(i), refScores.get(i), reference);
                json.put("reference_" + sides.get(i) + "_logp", refScores.get(i).sum());
                put(json.putArray("reference_" + sides.get(i) + "_token_logps"), refScores.get(i));
            }
            json.put("beta", beta);
            double first = beta * (scores.get(0).sum() - refScores.get(0).sum());
            json.put(sides.get(0) + "_reward", first);
            if (sides.size() == 2) {
                double second = beta * (scores.get(1).sum() - refScores.get(1).sum());
                json.put("rejected_reward", second);
                json.put("reward_margin", first - second);
                json.put("correct", first > second);
            }
        }
        try {
            return JSON.writeValueAsString(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void requireFinite(DataPipeline.Row row, String side, SequenceScore s, Path folder) {
        for (float v : s.tokenLogProbs()) {
            if (!Float.isFinite(v)) {
                throw new DpoException(folder + ": the model gives a non-finite log-probability (" + v + ") to the "
                        + side + " response of " + row.example().source() + "; are its weights finite?");
            }
        }
    }

    /** Float values printed as the doubles they are exactly (e.g. -3.648714065551758). */
    static void put(ArrayNode array, SequenceScore score) {
        for (float v : score.tokenLogProbs()) {
            array.add((double) v);
        }
    }
}
