package io.dpo4j.train;

import io.dpo4j.core.data.Content;
import io.dpo4j.core.data.LoadOptions;
import io.dpo4j.core.data.LoadResult;
import io.dpo4j.core.data.PairedExample;
import io.dpo4j.core.data.PreferenceDataLoader;
import io.dpo4j.core.data.PreferenceExample;
import io.dpo4j.core.data.Split;
import io.dpo4j.core.data.UnpairedExample;
import io.dpo4j.core.data.ValidationSplit;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A run's examples, read but not yet tokenised: training examples and held-out validation examples
 * (possibly none), paired or unpaired, given in memory or read from files by the ordinary loaders
 * (every format of {@code docs/data.md}, with the same error messages as the command line).
 *
 * @param train the training examples (at least one)
 * @param validation the held-out examples (may be empty)
 */
public record TrainingData(List<PreferenceExample> train, List<PreferenceExample> validation) {

    public TrainingData {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training example");
        }
    }

    /** Training examples only. */
    public static TrainingData of(List<? extends PreferenceExample> train) {
        return new TrainingData(List.copyOf(train), List.of());
    }

    /** Training and validation examples. */
    public static TrainingData of(List<? extends PreferenceExample> train, List<? extends PreferenceExample> validation) {
        return new TrainingData(List.copyOf(train), List.copyOf(validation));
    }

    /**
     * Reads data files with the loaders; validation from {@code validationFiles} when given, else
     * split off the training files by {@code validationSplit} (0: none) with the seed.
     *
     * @param log told each file's summary (rows read, skipped by reason)
     * @throws io.dpo4j.core.DpoException naming file, line, field and value of a bad row
     */
    public static TrainingData load(List<Path> trainFiles, List<Path> validationFiles, LoadOptions options,
            double validationSplit, long seed, PrintWriter log) {
        LoadResult train = PreferenceDataLoader.load(trainFiles, options).requireExamples();
        log.println(train.summary());
        List<PreferenceExample> trainExamples = train.examples();
        if (!validationFiles.isEmpty()) {
            LoadResult validation = PreferenceDataLoader.load(validationFiles, options).requireExamples();
            log.println("validation " + validation.summary());
            return new TrainingData(trainExamples, validation.examples());
        }
        if (validationSplit > 0) {
            Split<PreferenceExample> split = ValidationSplit.byFraction(trainExamples, validationSplit, seed);
            log.printf(Locale.ROOT, "validation: %d of %d examples held out (validation_split %.2f, seed %d)%n",
                    split.validation().size(), trainExamples.size(), validationSplit, seed);
            return new TrainingData(split.train(), split.validation());
        }
        return new TrainingData(trainExamples, List.of());
    }

    /** A text pair; {@code id} names it in messages (unique ids help). */
    public static PairedExample pair(String id, String prompt, String chosen, String rejected) {
        return new PairedExample(id, "memory:" + id, new Content.Text(prompt), new Content.Text(chosen),
                new Content.Text(rejected));
    }

    /** A text example with a desirable/undesirable label (KTO's data). */
    public static UnpairedExample unpaired(String id, String prompt, String completion, boolean desirable) {
        return new UnpairedExample(id, "memory:" + id, new Content.Text(prompt), new Content.Text(completion),
                desirable);
    }
}
