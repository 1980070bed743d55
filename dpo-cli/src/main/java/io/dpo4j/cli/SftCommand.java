package io.dpo4j.cli;

import ai.djl.ndarray.NDManager;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.SaveOptions;
import io.dpo4j.core.model.TinyModels;
import io.dpo4j.core.synthetic.SentimentLexicon;
import io.dpo4j.core.synthetic.SyntheticDataset;
import io.dpo4j.core.synthetic.WordLevelTokenizerFiles;
import io.dpo4j.core.tokenizer.TextTokenizer;
import io.dpo4j.core.train.ModelHub;
import io.dpo4j.core.train.ProgressBar;
import io.dpo4j.core.train.SupervisedTrainer;
import io.dpo4j.core.train.TextCorpus;
import io.dpo4j.core.train.Threads;
import io.dpo4j.core.train.TokenizerEncoder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code dpo sft}: supervised warm-up (next-token training) of a model on a text corpus. */
@Command(name = "sft", mixinStandardHelpOptions = true,
        description = "Supervised warm-up: next-token training of a model on a corpus (JSON Lines with \"text\"), "
                + "saved in the Hugging Face layout. With --model tiny and no --data, it trains the embedded tiny model "
                + "on the built-in controlled-sentiment corpus.")
public final class SftCommand implements Callable<Integer> {

    @ParentCommand
    DpoCommand root;

    @Option(names = "--model", defaultValue = "tiny", paramLabel = "DIR|tiny",
            description = "A Hugging Face model folder, or tiny (default).")
    String model;

    @Option(names = "--data", paramLabel = "FILE", description = "Corpus: JSON Lines with \"text\" (default for tiny: "
            + "the built-in corpus).")
    Path data;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Where to save the model.")
    Path out;

    @Option(names = "--steps", defaultValue = "300", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--lr", defaultValue = "5e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch-size", defaultValue = "32", description = "Texts per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-length", defaultValue = "128", description = "Longest sequence (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", defaultValue = "0", description = "libtorch threads (0: auto).")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || batchSize < 1 || maxLength < 2 || !(lr > 0)) {
            throw new DpoException("--steps and --batch-size must be >= 1, --max-length >= 2, --lr > 0");
        }
        if (Files.exists(out) && Files.list(out).findAny().isPresent()) {
            throw new DpoException("output folder " + out + " is not empty; choose another (nothing was changed)");
        }
        PrintWriter err = root.spec.commandLine().getErr();
        boolean tiny = "tiny".equals(model);
        Path tokenizerFolder;
        Path corpus = data;
        if (tiny) {
            tokenizerFolder = out.resolveSibling(out.getFileName() + ".data");
            if (!Files.isRegularFile(tokenizerFolder.resolve("tokenizer.json"))) {
                new SyntheticDataset().write(tokenizerFolder, SyntheticDataset.Settings.defaults(seed));
            }
            if (corpus == null) {
                corpus = tokenizerFolder.resolve("sft.jsonl");
            }
        } else {
            tokenizerFolder = ModelHub.requireModelFolder(Path.of(model), "--model");
            if (corpus == null) {
                throw new DpoException("--data is required with --model " + model);
            }
        }
        List<String> texts = TextCorpus.read(corpus);
        try (NDManager manager = NDManager.newBaseManager();
                TextTokenizer tokenizer = TextTokenizer.load(tokenizerFolder)) {
            LlamaModel m = tiny ? TinyModels.randomInit(TinyModels.defaultConfig(
                    WordLevelTokenizerFiles.vocabularySize(SentimentLexicon.vocabulary()), 1, 0), seed,
                    manager.newSubManager()) : HuggingFaceCheckpoint.load(tokenizerFolder, manager.newSubManager());
            try (m) {
                Threads.configure(threads, tiny ? 0 : m.config().parameterCount());
                io.dpo4j.core.tokenizer.SpecialTokens special = io.dpo4j.core.tokenizer.SpecialTokens.resolve(tokenizer,
                        m.config(), tokenizerFolder);
                int pad = special.pad();
                SupervisedTrainer.Result r;
                try (ProgressBar bar = new ProgressBar(err, "sft", steps)) {
                    r = new SupervisedTrainer(m, KernelType.fromId("chunked").create(), pad).train(texts,
                            new TokenizerEncoder(tokenizer, special),
                            new SupervisedTrainer.Settings(steps, lr, batchSize, maxLength, seed), bar);
                }
                HuggingFaceCheckpoint.save(m, out, SaveOptions.defaults().withTokenizerSource(tokenizerFolder));
                PrintWriter stdout = root.spec.commandLine().getOut();
                stdout.printf(Locale.ROOT, "token NLL %.3f → %.3f over %d steps (%d tokens, %.0f s); saved to %s%n",
                        r.firstLoss(), r.lastLoss(), steps, r.tokens(), r.seconds(), out);
                stdout.flush();
            }
        }
        return 0;
    }
}
