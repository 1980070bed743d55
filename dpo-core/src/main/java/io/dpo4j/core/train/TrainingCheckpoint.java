package io.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.SaveOptions;
import io.dpo4j.core.model.safetensors.SafetensorsFile;
import io.dpo4j.core.model.safetensors.SafetensorsWriter;
import io.dpo4j.core.model.safetensors.TensorEntry;
import io.dpo4j.core.model.safetensors.TensorSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one training checkpoint holds: the model (Hugging Face layout, under {@code model/}; a LoRA run's
 * adapter only, PEFT layout under {@code adapter/}), AdamW's
 * moments ({@code optimizer.safetensors}) and the {@link TrainerState}; written through a
 * {@link CheckpointStore} (atomic, checksummed), read back for an exact resume.
 */
public final class TrainingCheckpoint {

    /** A LoRA run's adapter folder in a checkpoint (PEFT layout; the base is the initial policy). */
    public static final String ADAPTER = "adapter";

    /** The optimizer state's file in a checkpoint. */
    public static final String OPTIMIZER = "optimizer.safetensors";

    private TrainingCheckpoint() {
    }

    /** Writes the checkpoint of {@code state.step()}; returns its folder. */
    public static Path write(CheckpointStore store, LlamaModel policy, AdamW adam, TrainerState state,
            Path tokenizerSource) throws IOException {
        return store.write(state.step(), folder -> {
            if (policy.adapter().orElse(null) instanceof io.dpo4j.core.lora.LoraAdapter lora) {
                // The adapter only: the frozen base is the initial policy.
                io.dpo4j.core.lora.PeftAdapterFiles.save(lora, folder.resolve(ADAPTER),
                        tokenizerSource.toAbsolutePath().toString());
            } else {
                HuggingFaceCheckpoint.save(policy, folder.resolve("model"), SaveOptions.defaults()
                        .withTokenizerSource(tokenizerSource));
            }
            List<TensorSource> tensors = new ArrayList<>();
            adam.state().forEach((k, a) -> tensors.add(new ArraySource(k, a)));
            SafetensorsWriter.write(folder.resolve(OPTIMIZER), tensors,
                    Map.of("format", "pt", "optimizer", "adamw", "step", String.valueOf(adam.step())));
            state.write(folder);
        });
    }

    /** Restores AdamW's moments and step count from a checkpoint folder. */
    public static void restoreOptimizer(AdamW adam, Path folder, TrainerState state, NDManager root) {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        try (NDManager scratch = root.newSubManager();
                SafetensorsFile file = SafetensorsFile.open(folder.resolve(OPTIMIZER))) {
            for (Map.Entry<String, TensorEntry> e : file.tensors().entrySet()) {
                float[] values = file.readAsFloat32(e.getValue());
                arrays.put(e.getKey(), scratch.create(values, e.getValue().shape()));
            }
            adam.restore(arrays, state.optimizerSteps());
        }
    }
}
