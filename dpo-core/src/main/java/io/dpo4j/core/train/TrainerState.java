package io.dpo4j.core.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything besides weights and optimizer moments that a resumed run needs to continue exactly as
 * an uninterrupted one: the step, the sampler's position, the optimizer's step count, the history
 * the diagnostics read, the first evaluation (for the summary), and the time and tokens so far. Every
 * random choice of the loop is derived from the seed and the step, so no generator state is needed.
 *
 * @param step optimizer steps done
 * @param epoch the sampler's epoch
 * @param index the sampler's batch index within the epoch
 * @param optimizerSteps AdamW's step count
 * @param evaluations every held-out evaluation so far (diagnostics history)
 * @param firstEvaluation metrics of the first evaluation
 * @param lastEvaluation metrics of the latest evaluation
 * @param seconds training wall time so far
 * @param tokens response tokens trained on so far
 */
public record TrainerState(long step, int epoch, int index, long optimizerSteps, List<Diagnostics.Evaluation> evaluations,
        Map<String, Double> firstEvaluation, Map<String, Double> lastEvaluation, double seconds, long tokens) {

    /** The file name inside a checkpoint. */
    public static final String FILE = "trainer_state.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes the state into a checkpoint folder. */
    public void write(Path folder) throws IOException {
        AtomicFiles.writeString(folder.resolve(FILE), JSON.writeValueAsString(this));
    }

    /** Reads the state of a checkpoint folder. */
    public static TrainerState read(Path folder) {
        try {
            return JSON.readValue(folder.resolve(FILE).toFile(), TrainerState.class);
        } catch (IOException e) {
            throw new DpoException(folder.resolve(FILE) + ": cannot read the trainer state: " + e.getMessage(), e);
        }
    }
}
