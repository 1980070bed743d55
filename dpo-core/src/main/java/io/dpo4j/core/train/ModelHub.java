package io.dpo4j.core.train;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.io.Checksums;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.SaveOptions;
import io.dpo4j.core.model.TinyModels;
import io.dpo4j.core.synthetic.SentimentLexicon;
import io.dpo4j.core.synthetic.WordLevelTokenizerFiles;
import io.dpo4j.core.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Where the initial policy comes from. A Hugging Face folder is used as it is; {@code tiny} is the
 * embedded default: a small Llama initialised from the seed over the synthetic language's tokenizer,
 * then warmed up with supervised training on the synthetic corpus. The warmed-up model is cached by
 * a key over everything that determines it, so reruns skip the warm-up.
 */
public final class ModelHub {

    /** The word that selects the embedded tiny model. */
    public static final String TINY = "tiny";

    private final Path cacheDir;
    private final PrintWriter log;

    public ModelHub(Path cacheDir, PrintWriter log) {
        this.cacheDir = cacheDir;
        this.log = log;
    }

    /**
     * The supervised warm-up of the initial policy.
     *
     * @param enabled whether it runs
     * @param steps optimizer steps
     * @param lr peak learning rate (linear decay)
     * @param batchSize texts per step
     * @param corpus a JSON Lines file with a {@code text} field, or null for the synthetic corpus
     * @param maxLength longest text in tokens
     */
    public record WarmUp(boolean enabled, int steps, double lr, int batchSize, Path corpus, int maxLength) {

        /** The defaults of {@code dpo train} (lr 3e-3, 32 texts per step, 128 tokens, the synthetic corpus). */
        public static WarmUp defaults(boolean enabled, int steps) {
            return new WarmUp(enabled, steps, 3e-3, 32, null, 128);
        }
    }

    /**
     * The folder (Hugging Face layout) of the initial policy.
     *
     * @param model a Hugging Face folder, or {@code tiny} for the embedded default
     * @param seed the tiny model's initialisation and the warm-up's data order
     * @param warmUp the supervised warm-up
     * @param synthetic the synthetic data folder (its tokenizer and corpus are used for {@code tiny})
     * @param kernel the log-prob kernel the warm-up trains through
     */
    public Path initialPolicy(String model, long seed, WarmUp warmUp, Path synthetic, LogProbKernel kernel)
            throws IOException {
        boolean tiny = TINY.equals(model);
        boolean sft = warmUp.enabled();
        if (!tiny && !sft) {
            return requireModelFolder(Path.of(model), "model");
        }
        Path corpus = warmUp.corpus() != null ? warmUp.corpus()
                : synthetic == null ? null : synthetic.resolve("sft.jsonl");
        if (sft && corpus == null) {
            throw new DpoException("sft.enabled is true but no corpus is known: set sft.data to a JSON Lines file "
                    + "with a \"text\" field");
        }
        String key = Checksums.sha256(String.join("\n", List.of(model, String.valueOf(seed),
                String.valueOf(sft), warmUp.toString(), tiny ? fingerprint(synthetic) : fingerprint(Path.of(model)),
                corpus == null ? "" : Checksums.sha256(corpus)))
                .getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        Path folder = cacheDir.resolve((tiny ? "tiny-" : "sft-") + key);
        if (Files.isRegularFile(folder.resolve("warmup.json"))) {
            log.println("initial policy: reusing " + folder + (sft ? " (supervised warm-up cached)" : ""));
            return folder;
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaModel policy;
            TextTokenizer tokenizer;
            Path tokenizerSource;
            if (tiny) {
                int vocab = WordLevelTokenizerFiles.vocabularySize(SentimentLexicon.vocabulary());
                LlamaConfig c = TinyModels.defaultConfig(vocab, 1, 0);
                policy = TinyModels.randomInit(c, seed, manager.newSubManager());
                tokenizerSource = synthetic;
            } else {
                policy = HuggingFaceCheckpoint.load(requireModelFolder(Path.of(model), "model"),
                        manager.newSubManager());
                tokenizerSource = Path.of(model);
            }
            tokenizer = TextTokenizer.load(tokenizerSource);
            try (policy; tokenizer) {
                SupervisedTrainer.Result result = null;
                if (sft) {
                    List<String> texts = TextCorpus.read(corpus);
                    io.dpo4j.core.tokenizer.SpecialTokens special = io.dpo4j.core.tokenizer.SpecialTokens.resolve(
                            tokenizer, policy.config(), tokenizerSource);
                    int pad = special.pad();
                    try (ProgressBar bar = new ProgressBar(log, "warm-up (sft)", warmUp.steps())) {
                        result = new SupervisedTrainer(policy, kernel, pad).train(texts,
                                new TokenizerEncoder(tokenizer, special),
                                new SupervisedTrainer.Settings(warmUp.steps(), warmUp.lr(), warmUp.batchSize(),
                                        warmUp.maxLength(), seed), null);
                    }
                    log.printf(Locale.ROOT, "warm-up: token NLL %.3f → %.3f over %d steps (%.0f s)%n",
                            result.firstLoss(), result.lastLoss(), warmUp.steps(), result.seconds());
                }
                Files.createDirectories(cacheDir);
                HuggingFaceCheckpoint.save(policy, folder, SaveOptions.defaults().withTokenizerSource(tokenizerSource));
                ObjectNode info = new ObjectMapper().createObjectNode();
                info.put("key", key);
                info.put("model", model);
                info.put("seed", seed);
                info.put("sft", sft);
                if (result != null) {
                    info.put("first_loss", result.firstLoss());
                    info.put("last_loss", result.lastLoss());
                    info.put("seconds", result.seconds());
                }
                AtomicFiles.writeString(folder.resolve("warmup.json"), info.toPrettyString());
            }
        }
        return folder;
    }

    /** Checks that a folder looks like a Hugging Face model folder. */
    public static Path requireModelFolder(Path folder, String field) {
        if (!Files.isDirectory(folder)) {
            throw new DpoException(field + " = " + folder + ": no such folder (give a Hugging Face model folder, or "
                    + "'tiny' for the embedded default)");
        }
        if (!Files.exists(folder.resolve(HuggingFaceCheckpoint.CONFIG))) { // present but odd: its reader says how
            throw new DpoException(field + " = " + folder + ": no config.json; not a Hugging Face model folder");
        }
        boolean weights;
        try (Stream<Path> files = Files.list(folder)) {
            weights = files.anyMatch(p -> p.getFileName().toString().endsWith(".safetensors"));
        } catch (IOException e) {
            throw new DpoException(field + " = " + folder + ": cannot list: " + e.getMessage());
        }
        if (!weights) {
            throw new DpoException(field + " = " + folder + ": no *.safetensors weights (only safetensors checkpoints "
                    + "are read; convert pytorch_model.bin with transformers' save_pretrained)");
        }
        if (!Files.exists(folder.resolve("tokenizer.json"))) {
            throw new DpoException(field + " = " + folder + ": no tokenizer.json");
        }
        return folder;
    }

    /**
     * A fingerprint of a model (or data) folder: the SHA-256 of its files' names and contents, for
     * cache keys.
     */
    public static String fingerprint(Path folder) throws IOException {
        if (folder == null || !Files.isDirectory(folder)) {
            return "none";
        }
        java.security.MessageDigest d = Checksums.sha256();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.equals("warmup.json") || name.startsWith(".")) {
                    continue;
                }
                d.update(name.getBytes(StandardCharsets.UTF_8));
                d.update(Checksums.sha256(f).getBytes(StandardCharsets.UTF_8));
            }
        }
        return java.util.HexFormat.of().formatHex(d.digest());
    }
}
