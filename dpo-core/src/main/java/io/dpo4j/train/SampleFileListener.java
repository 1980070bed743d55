package io.dpo4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes each evaluation's sampled responses to {@code step-NNNNNNNN.jsonl} in a folder, with their
 * token ids and policy log-probs (so a KL to the reference can be estimated afterwards).
 */
public final class SampleFileListener implements TrainingListener {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path folder;

    /** Writes into {@code folder}. */
    public SampleFileListener(Path folder) {
        this.folder = folder;
    }

    /** The file of one evaluation's samples. */
    public static Path file(Path folder, long step) {
        return folder.resolve(String.format("step-%08d.jsonl", step));
    }

    @Override
    public void onEvaluation(TrainingContext context, EvaluationEvent e) throws IOException {
        if (e.samples().isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (EvaluationEvent.Sample s : e.samples()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt_ids", s.promptIds());
            row.put("prompt", s.prompt());
            row.put("completion", s.completion());
            row.put("completion_ids", s.completionIds());
            row.put("policy_logp", s.policyLogp());
            lines.append(JSON.writeValueAsString(row)).append('\n');
        }
        AtomicFiles.writeString(file(folder, e.step()), lines.toString());
    }
}
