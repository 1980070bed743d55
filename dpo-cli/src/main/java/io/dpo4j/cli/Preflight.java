package io.dpo4j.cli;

import io.dpo4j.core.train.ModelHub;
import io.dpo4j.core.DpoException;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The checks {@code dpo train} makes before it creates anything or loads any model, so that the
 * mistakes found in the first second are not found after a long warm-up: the run folder ({@link
 * RunFolder#check}); the model and reference folders (config.json, safetensors weights,
 * tokenizer.json, a configuration this code supports, safetensors headers that match it); the
 * tokenizer against the model's vocabulary; and that every data file exists. Only {@code
 * config.json}, the safetensors headers and the tokenizer are read; no weight is loaded.
 */
public final class Preflight {

    private Preflight() {
    }

    /** Everything above; throws a {@link DpoException} naming the first problem. */
    public static void check(TrainConfig config, boolean resume, boolean overwrite, boolean needsReference)
            throws IOException {
        check(config, resume, overwrite, needsReference, architecture -> { });
    }

    /**
     * As {@link #check(TrainConfig, boolean, boolean, boolean)}, with {@code architectureCheck} run on the
     * model's {@code config.json} as soon as it is read, before the tokenizer and the weights' headers
     * (the memory plan: a run that cannot fit is refused first, with the plan).
     */
    public static void check(TrainConfig config, boolean resume, boolean overwrite, boolean needsReference,
            java.util.function.Consumer<LlamaConfig> architectureCheck) throws IOException {
        config.device().requireAvailable(); // a GPU on a CPU-only libtorch fails here, before anything exists
        RunFolder.check(config, resume, overwrite);
        checkInputs(config, needsReference, architectureCheck);
    }

    /**
     * The checks of {@link #check(TrainConfig, boolean, boolean, boolean, java.util.function.Consumer)} that
     * concern the inputs only (model, reference, tokenizer, data files), not the run folder: what a job that
     * prepares a run without starting it (the reference scoring of {@code dpo spark score}) needs.
     */
    public static void checkInputs(TrainConfig config, boolean needsReference,
            java.util.function.Consumer<LlamaConfig> architectureCheck) throws IOException {
        Integer modelVocabulary = null;
        if (!TrainConfig.TINY.equals(config.model())) {
            Path model = ModelHub.requireModelFolder(Path.of(config.model()), "model");
            LlamaConfig architecture = LlamaConfig.read(model.resolve(HuggingFaceCheckpoint.CONFIG));
            architectureCheck.accept(architecture);
            modelVocabulary = architecture.vocabSize();
            try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
                RunFolder.checkTokenizer(tokenizer, modelVocabulary, model);
            }
            HuggingFaceCheckpoint.checkHeaders(model); // safetensors headers only: no weight is read
        }
        if (config.reference() != null && needsReference
                && io.dpo4j.core.lora.PeftAdapterFiles.isAdapter(Path.of(config.reference()))) {
            io.dpo4j.core.lora.PeftAdapterFiles.readSettings(Path.of(config.reference())); // a LoRA adapter on the base
        } else if (config.reference() != null && needsReference) {
            Path reference = ModelHub.requireModelFolder(Path.of(config.reference()), "reference");
            int vocabulary = LlamaConfig.read(reference.resolve(HuggingFaceCheckpoint.CONFIG)).vocabSize();
            HuggingFaceCheckpoint.checkHeaders(reference);
            if (modelVocabulary != null && vocabulary != modelVocabulary) {
                throw new DpoException("reference = " + reference + ": its vocabulary has " + vocabulary
                        + " tokens but the model's has " + modelVocabulary + "; the reference must share the "
                        + "policy's tokenizer");
            }
        }
        files("data.train", config.data().train());
        files("data.validation", config.data().validation());
        boolean warmUp = config.sft().enabled() == TrainConfig.SftMode.TRUE
                || (config.sft().enabled() == TrainConfig.SftMode.AUTO && TrainConfig.TINY.equals(config.model()));
        if (config.sft().data() != null && warmUp) {
            files("sft.data", List.of(config.sft().data()));
        }
        if (config.evaluation().prompts() != null) {
            files("evaluation.prompts", List.of(config.evaluation().prompts()));
        }
    }

    private static void files(String field, List<String> files) {
        for (int i = 0; i < files.size(); i++) {
            Path f = Path.of(files.get(i));
            String name = files.size() == 1 && !field.startsWith("data.") ? field : field + "[" + i + "]";
            if (!Files.exists(f)) {
                throw new DpoException(name + " = " + f + ": no such file");
            }
            if (!Files.isRegularFile(f)) {
                throw new DpoException(name + " = " + f + ": not a file");
            }
            if (!Files.isReadable(f)) {
                throw new DpoException(name + " = " + f + ": not readable");
            }
        }
    }
}
