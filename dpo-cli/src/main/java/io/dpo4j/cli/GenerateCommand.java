package io.dpo4j.cli;

import io.dpo4j.core.synthetic.SyntheticDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code dpo generate}: writes the built-in controlled-sentiment data set as ordinary files. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Write the built-in controlled-sentiment data set (supervised corpus, preference pairs, "
                + "held-out prompts, word-level tokenizer) into a folder. Deterministic by seed.")
public final class GenerateCommand implements Callable<Integer> {

    @ParentCommand
    DpoCommand root;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--sft-reviews", defaultValue = "3000", description = "Reviews in sft.jsonl (default: ${DEFAULT-VALUE}).")
    int sftReviews;

    @Option(names = "--train-pairs", defaultValue = "1200", description = "Pairs in train.jsonl (default: ${DEFAULT-VALUE}).")
    int trainPairs;

    @Option(names = "--validation-pairs", defaultValue = "200",
            description = "Pairs in validation.jsonl (default: ${DEFAULT-VALUE}).")
    int validationPairs;

    @Option(names = "--prompts", defaultValue = "100", description = "Held-out prompts (default: ${DEFAULT-VALUE}).")
    int prompts;

    @Override
    public Integer call() throws Exception {
        if (sftReviews < 0 || trainPairs < 1 || validationPairs < 1 || prompts < 0) {
            throw new io.dpo4j.core.DpoException("counts must be >= 0 (pairs >= 1)");
        }
        new SyntheticDataset().write(out, new SyntheticDataset.Settings(seed, sftReviews, trainPairs, validationPairs,
                prompts));
        PrintWriter w = root.spec.commandLine().getOut();
        w.println("wrote the controlled-sentiment data set (seed " + seed + ") to " + out + ": sft.jsonl, train.jsonl, "
                + "validation.jsonl, prompts.jsonl, tokenizer.json, tokenizer_config.json, dataset.json");
        w.flush();
        return 0;
    }
}
