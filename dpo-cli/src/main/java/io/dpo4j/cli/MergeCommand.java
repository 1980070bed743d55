package io.dpo4j.cli;

import io.dpo4j.core.DpoException;
import io.dpo4j.core.lora.LoraMerge;
import io.dpo4j.core.lora.PeftAdapterFiles;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code dpo merge}: a LoRA adapter (PEFT format) merged into its base model, written as full weights. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Merge a LoRA adapter (PEFT format: adapter_config.json, adapter_model.safetensors) into its "
                + "base model: W + scale*B*A for every adapted layer. Writes a full Hugging Face model folder in the "
                + "base checkpoint's dtype, with the base's tokenizer files."})
public final class MergeCommand implements Callable<Integer> {

    @ParentCommand
    DpoCommand root;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The base model folder.")
    Path model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "The PEFT adapter folder.")
    Path adapter;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the merged model goes.")
    Path out;

    @Option(names = "--overwrite", description = "Replace an existing, non-empty --out folder.")
    boolean overwrite;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(model) || !Files.isRegularFile(model.resolve(HuggingFaceCheckpoint.CONFIG))) {
            throw new DpoException("--model " + model + ": not a model folder (no " + HuggingFaceCheckpoint.CONFIG + ")");
        }
        if (!PeftAdapterFiles.isAdapter(adapter)) {
            throw new DpoException("--adapter " + adapter + ": not a PEFT adapter folder (no " + PeftAdapterFiles.CONFIG
                    + ")");
        }
        Path target = out.toAbsolutePath().normalize();
        if (target.equals(model.toAbsolutePath().normalize()) || target.equals(adapter.toAbsolutePath().normalize())) {
            throw new DpoException("--out " + out + ": must differ from --model and --adapter");
        }
        if (Files.exists(target) && !overwrite && (!Files.isDirectory(target) || !isEmpty(target))) {
            throw new DpoException("--out " + out + ": exists and is not empty (pass --overwrite to replace it)");
        }
        int layers = LoraMerge.merge(model, adapter, out);
        PrintWriter stdout = root.spec.commandLine().getOut();
        stdout.println("merged " + layers + " adapted layers of " + adapter + " into " + model + "; wrote " + out);
        stdout.flush();
        return 0;
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.findAny().isEmpty();
        }
    }
}
