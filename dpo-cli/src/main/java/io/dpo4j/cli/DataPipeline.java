package io.dpo4j.cli;

import io.dpo4j.core.train.TokenizerEncoder;
import io.dpo4j.core.DpoException;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.data.BadRowPolicy;
import io.dpo4j.core.data.DataFormat;
import io.dpo4j.core.data.ExampleTokenizer;
import io.dpo4j.core.data.LoadOptions;
import io.dpo4j.core.data.LoadResult;
import io.dpo4j.core.data.PairedExample;
import io.dpo4j.core.data.PreferenceDataLoader;
import io.dpo4j.core.data.PreferenceExample;
import io.dpo4j.core.data.RowTrace;
import io.dpo4j.core.data.TokenizedData;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.data.TokenizedUnpaired;
import io.dpo4j.core.data.TruncationSettings;
import io.dpo4j.core.data.UnpairedExample;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.tokenizer.SpecialTokens;
import io.dpo4j.core.tokenizer.TextTokenizer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training's data path for the commands that read data files outside a run ({@code dpo score},
 * {@code dpo data inspect}): the same loader, chat template, tokenisation, special-token rule and
 * length defaults as {@code dpo train} ({@link ExampleTokenizer#forModel}), with the same
 * preflight of the model folder (its tokenizer against its vocabulary, naming the files). Rows keep
 * their input order; paired and unpaired rows may be mixed.
 */
public final class DataPipeline implements AutoCloseable {

    private final Path model;
    private final int vocabularySize;
    private final int maxPositions;
    private final TextTokenizer tokenizer;
    private final SpecialTokens special;
    private final TrainConfig.Data data;
    private final TruncationSettings lengths;

    private DataPipeline(Path model, int vocabularySize, int maxPositions, TextTokenizer tokenizer, SpecialTokens special,
            TrainConfig.Data data) {
        this.model = model;
        this.vocabularySize = vocabularySize;
        this.maxPositions = maxPositions;
        this.tokenizer = tokenizer;
        this.special = special;
        this.data = data;
        this.lengths = Lengths.resolve(data, false, maxPositions);
    }

    /**
     * Opens a model folder's tokenizer and configuration (no weights are read) and checks them
     * together, as {@code dpo train}'s preflight does.
     *
     * @param data the data settings (format, bad-row policy, lengths, BOS) of a configuration
     * @throws DpoException naming the file at fault
     */
    public static DataPipeline open(Path model, TrainConfig.Data data) {
        return open(model, data, true);
    }

    /**
     * {@link #open(Path, TrainConfig.Data)}; with {@code architectureNeeded} false, a {@code config.json}
     * of an architecture this code cannot run is still read for what the data path needs
     * ({@code vocab_size}, {@code max_position_embeddings}, the token ids), so its data can be inspected.
     */
    public static DataPipeline open(Path model, TrainConfig.Data data, boolean architectureNeeded) {
        if (!Files.isDirectory(model)) {
            throw new DpoException("--model " + model + ": no such folder (give a Hugging Face model folder)");
        }
        Path configFile = model.resolve(HuggingFaceCheckpoint.CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new DpoException("--model " + model + ": no config.json; not a Hugging Face model folder");
        }
        int vocabulary;
        int positions;
        List<Integer> bos;
        List<Integer> eos;
        List<Integer> pad;
        try {
            LlamaConfig config = LlamaConfig.read(configFile);
            vocabulary = config.vocabSize();
            positions = config.maxPositionEmbeddings();
            bos = config.bosTokenIds();
            eos = config.eosTokenIds();
            pad = config.padTokenIds();
        } catch (DpoException e) {
            if (architectureNeeded) {
                throw e;
            }
            com.fasterxml.jackson.databind.JsonNode json = ConfigJson.read(configFile, e);
            vocabulary = ConfigJson.positive(json, "vocab_size", configFile, e);
            positions = json.path("max_position_embeddings").canConvertToInt()
                    ? ConfigJson.positive(json, "max_position_embeddings", configFile, e) : Integer.MAX_VALUE;
            bos = ConfigJson.ids(json.get("bos_token_id"));
            eos = ConfigJson.ids(json.get("eos_token_id"));
            pad = ConfigJson.ids(json.get("pad_token_id"));
        }
        TextTokenizer tokenizer = TextTokenizer.load(model);
        try {
            SpecialTokens.requireFits(tokenizer, vocabulary, model);
            SpecialTokens special = SpecialTokens.resolve(tokenizer, vocabulary, bos, eos, pad, model);
            return new DataPipeline(model, vocabulary, positions, tokenizer, special, data);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** The data settings of a configuration file, or the defaults when there is none. */
    public static TrainConfig.Data settings(Path configFile, java.util.function.Function<List<Path>,
            io.dpo4j.core.registry.ObjectiveRegistry> registries) throws java.io.IOException {
        com.fasterxml.jackson.databind.node.ObjectNode tree = configFile == null
                ? new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                : io.dpo4j.cli.config.ConfigFiles.load(configFile);
        return TrainConfig.read(configFile == null ? "the defaults" : configFile.toString(), tree, registries).data();
    }

    /** The model's vocabulary size ({@code vocab_size}). */
    public int vocabularySize() {
        return vocabularySize;
    }

    /** The model's {@code max_position_embeddings}. */
    public int maxPositions() {
        return maxPositions;
    }

    /** The model's tokenizer. */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** The model's BOS, EOS and padding ids. */
    public SpecialTokens special() {
        return special;
    }

    /** The length limits, resolved for the model. */
    public TruncationSettings lengths() {
        return lengths;
    }

    /** The model folder. */
    public Path model() {
        return model;
    }

    /**
     * One row after tokenisation.
     *
     * @param example the row as loaded
     * @param trace what tokenisation did to it
     */
    public record Row(PreferenceExample example, RowTrace trace) {

        /** True when the row survived truncation. */
        public boolean kept() {
            return trace.kept() != null;
        }
    }

    /**
     * The rows of the files, tokenised.
     *
     * @param loaded what the loader read (rows kept and skipped, per file)
     * @param rows every loaded row in input order, with its tokenisation
     * @param pairs the paired rows' account
     * @param unpaired the unpaired rows' account
     */
    public record Result(LoadResult loaded, List<Row> rows, TokenizedData<TokenizedPair> pairs,
            TokenizedData<TokenizedUnpaired> unpaired) {
    }

    /**
     * Loads and tokenises data files, writing the loader's and the tokenizer's summaries to {@code log}.
     *
     * @throws DpoException for a bad row under {@code on_bad_row: error}, or when no row is usable
     */
    public Result tokenize(List<Path> files, PrintWriter log) {
        LoadOptions options = new LoadOptions(data.format(), data.onBadRow(), data.maxRowBytes(), data.maxFieldChars());
        LoadResult loaded = PreferenceDataLoader.load(files, options).requireExamples();
        log.println(loaded.summary());
        Lengths.report(data, lengths, maxPositions, log);
        Map<PreferenceExample, RowTrace> traces = new IdentityHashMap<>();
        List<PairedExample> pairs = new ArrayList<>();
        List<UnpairedExample> unpaired = new ArrayList<>();
        for (PreferenceExample e : loaded.examples()) {
            if (e instanceof PairedExample p) {
                pairs.add(p);
            } else {
                unpaired.add((UnpairedExample) e);
            }
        }
        ExampleTokenizer tokenize = ExampleTokenizer.forModel(tokenizer, new TokenizerEncoder(tokenizer, special),
                special, lengths, data.onBadRow(), data.addBos(), loaded.examples(), log);
        List<RowTrace> pairTraces = new ArrayList<>();
        List<RowTrace> unpairedTraces = new ArrayList<>();
        TokenizedData<TokenizedPair> p = tokenize.withTrace(pairTraces::add).tokenizePairs(pairs);
        TokenizedData<TokenizedUnpaired> u = tokenize.withTrace(unpairedTraces::add).tokenizeUnpaired(unpaired);
        for (int i = 0; i < pairs.size(); i++) {
            traces.put(pairs.get(i), pairTraces.get(i));
        }
        for (int i = 0; i < unpaired.size(); i++) {
            traces.put(unpaired.get(i), unpairedTraces.get(i));
        }
        List<Row> rows = new ArrayList<>();
        for (PreferenceExample e : loaded.examples()) {
            rows.add(new Row(e, traces.get(e)));
        }
        if (!pairs.isEmpty()) {
            log.println("tokens" + (unpaired.isEmpty() ? "" : " (paired rows)") + ": " + p.summary());
            Lengths.warnIfTruncating(p, "paired rows", log);
        }
        if (!unpaired.isEmpty()) {
            log.println("tokens" + (pairs.isEmpty() ? "" : " (unpaired rows)") + ": " + u.summary());
            Lengths.warnIfTruncating(u, "unpaired rows", log);
        }
        return new Result(loaded, rows, p, u);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
