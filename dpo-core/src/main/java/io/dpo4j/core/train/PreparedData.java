package io.dpo4j.core.train;

import io.dpo4j.api.DataLayout;
import io.dpo4j.api.DatasetSummary;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.config.TrainConfig;
import io.dpo4j.core.data.BadRowPolicy;
import io.dpo4j.core.data.ChatTemplate;
import io.dpo4j.core.data.DataFingerprint;
import io.dpo4j.core.data.DataFormat;
import io.dpo4j.core.data.ExampleLayouts;
import io.dpo4j.core.data.ExampleTokenizer;
import io.dpo4j.core.data.LoadOptions;
import io.dpo4j.core.data.LoadResult;
import io.dpo4j.core.data.PairedExample;
import io.dpo4j.core.data.PreferenceDataLoader;
import io.dpo4j.core.data.PreferenceExample;
import io.dpo4j.core.data.Split;
import io.dpo4j.core.data.TokenEncoder;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedData;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.data.TokenizedUnpaired;
import io.dpo4j.core.data.TruncationPolicy;
import io.dpo4j.core.data.TruncationSettings;
import io.dpo4j.core.data.ValidationSplit;
import io.dpo4j.core.jinja.RenderLimits;
import io.dpo4j.core.tokenizer.SpecialTokens;
import io.dpo4j.core.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The data of one run, loaded, split, tokenised and accounted for: training examples in the layout
 * the objectives need, paired validation examples (for held-out accuracy and margins), the prompts
 * sampled at evaluations, and the fingerprint that keys the reference cache.
 *
 * @param layout the objectives' layout
 * @param trainPairs paired training examples (paired objectives)
 * @param trainUnpaired unpaired training examples (unpaired objectives)
 * @param validationPairs paired validation examples (may be empty)
 * @param validationUnpaired unpaired validation examples (unpaired objectives)
 * @param samplePrompts prompt ids sampled at evaluations, with their text
 * @param samplePromptTexts the prompts as text (for the true reward of synthetic data)
 * @param fingerprint SHA-256 over the tokenised content and settings
 * @param truncation the tokenisation limits
 */
public record PreparedData(DataLayout layout, List<TokenizedPair> trainPairs, List<TokenizedUnpaired> trainUnpaired,
        List<TokenizedPair> validationPairs, List<TokenizedUnpaired> validationUnpaired, List<TokenIds> samplePrompts,
        List<String> samplePromptTexts, String fingerprint, TruncationSettings truncation) {

    /**
     * The tokenizer of examples every command uses (training, {@code dpo score}, {@code dpo data inspect}):
     * the model's chat template (or, for conversations with a model that has none, the messages'
     * contents joined by spaces, with a warning), the limits, the bad-row policy and the BOS rule.
     *
     * @param examples the examples it will see (to warn about conversations without a template)
     */
    public static ExampleTokenizer exampleTokenizer(TrainConfig.Data d, TextTokenizer tokenizer, TokenEncoder encoder,
            SpecialTokens special, TruncationSettings truncation, List<PreferenceExample> examples, PrintWriter log) {
        ChatTemplate template = ChatTemplate.of(tokenizer.settings(), RenderLimits.DEFAULT).orElse(null);
        if (template == null && examples.stream().anyMatch(PreferenceExample::isConversation)) {
            log.println("warning: the model has no chat template (chat_template in tokenizer_config.json); "
                    + "conversations are rendered as their messages' contents joined by spaces");
            template = new ChatTemplate(PLAIN_TEMPLATE, null, null);
        }
        ExampleTokenizer tokenize = new ExampleTokenizer(encoder, template, truncation,
                BadRowPolicy.parse(d.onBadRow().name()));
        if (d.addBos()) {
            if (special.bos().isEmpty()) {
                throw new DpoException("data.add_bos is true but the model defines no beginning-of-sequence token "
                        + "(bos_token in tokenizer_config.json, bos_token_id in config.json)");
            }
            tokenize = tokenize.withPlainTextBos(special.bos().getAsInt());
        }
        return tokenize;
    }

    /** The prompts of a JSON Lines file of {@code {"prompt": "…"}} rows, with clear errors. */
    static List<String> promptsOf(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DpoException("evaluation.prompts = " + file + ": no such file");
        }
        List<String> out = new ArrayList<>();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        int line = 0;
        for (String text : Files.readAllLines(file)) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            com.fasterxml.jackson.databind.JsonNode n;
            try {
                n = json.readTree(text);
            } catch (IOException e) {
                throw new DpoException(file + ":" + line + ": not valid JSON");
            }
            if (n == null || !n.path("prompt").isTextual() || n.get("prompt").asText().isBlank()) {
                throw new DpoException(file + ":" + line + ": field 'prompt': expected a non-empty string");
            }
            if (n.get("prompt").asText().length() > io.dpo4j.core.data.LoadOptions.DEFAULT_MAX_FIELD_CHARS) {
                throw new DpoException(file + ":" + line + ": field 'prompt': has " + n.get("prompt").asText().length()
                        + " characters, over the limit of " + io.dpo4j.core.data.LoadOptions.DEFAULT_MAX_FIELD_CHARS);
            }
            out.add(n.get("prompt").asText());
        }
        return out;
    }

    /** For models without a chat template: the messages' contents joined by spaces. */
    public static final String PLAIN_TEMPLATE = "{% for message in messages %}{% if not loop.first %} {% endif %}"
            + "{{ message['content'] }}{% endfor %}{% if add_generation_prompt %} {% endif %}";

    /** Number of training examples (pairs or unpaired examples). */
    public int trainSize() {
        return layout == DataLayout.PAIRED ? trainPairs.size() : trainUnpaired.size();
    }

    /**
     * The run's examples, read and split but not yet tokenised.
     *
     * @param train the training examples
     * @param validation the held-out examples (from validation files or the split; may be empty)
     */
    public record Loaded(List<PreferenceExample> train, List<PreferenceExample> validation) {
    }

    /**
     * Loads, splits and tokenises the run's data, reporting every skipped or dropped row.
     *
     * @param synthetic the synthetic data folder when the configuration names no files
     */
    public static PreparedData prepare(TrainConfig config, Path synthetic, TextTokenizer tokenizer, TokenEncoder encoder,
            SpecialTokens special, int maxPositions, PrintWriter log) throws IOException {
        return prepare(config, synthetic, load(config, synthetic, log), tokenizer, encoder, special, maxPositions, log);
    }

    /**
     * Reads and splits the run's data files, reporting every skipped row; needs no model or tokenizer,
     * so malformed data stops a run before any model is loaded.
     *
     * @param synthetic the synthetic data folder when the configuration names no files
     */
    public static Loaded load(TrainConfig config, Path synthetic, PrintWriter log) {
        TrainConfig.Data d = config.data();
        List<Path> trainFiles = d.synthetic() ? List.of(synthetic.resolve("train.jsonl"))
                : d.train().stream().map(Path::of).toList();
        List<Path> validationFiles = d.synthetic() ? List.of(synthetic.resolve("validation.jsonl"))
                : d.validation().stream().map(Path::of).toList();
        LoadOptions options = new LoadOptions(DataFormat.parse(d.format().name()),
                BadRowPolicy.parse(d.onBadRow().name()), d.maxRowBytes(), d.maxFieldChars());
        LoadResult train = PreferenceDataLoader.load(trainFiles, options).requireExamples();
        log.println(train.summary());
        List<PreferenceExample> trainExamples = train.examples();
        List<PreferenceExample> validationExamples;
        if (!validationFiles.isEmpty()) {
            LoadResult validation = PreferenceDataLoader.load(validationFiles, options).requireExamples();
            log.println("validation " + validation.summary());
            validationExamples = validation.examples();
        } else if (d.validationSplit() > 0) {
            Split<PreferenceExample> split = ValidationSplit.byFraction(trainExamples, d.validationSplit(), config.seed());
            trainExamples = split.train();
            validationExamples = split.validation();
            log.printf("validation: %d of %d examples held out (validation_split %.2f, seed %d)%n",
                    validationExamples.size(), trainExamples.size() + validationExamples.size(), d.validationSplit(),
                    config.seed());
        } else {
            validationExamples = List.of();
        }
        return new Loaded(trainExamples, validationExamples);
    }

    /**
     * Tokenises loaded data (see {@link #load}) with the model's tokenizer, reporting every dropped row;
     * the length limits default for the model ({@link Lengths}) and the special tokens follow
     * {@link SpecialTokens}.
     *
     * @param synthetic the synthetic data folder when the configuration names no files
     * @param special the model's special tokens
     * @param maxPositions the model's {@code max_position_embeddings}
     */
    public static PreparedData prepare(TrainConfig config, Path synthetic, Loaded loaded, TextTokenizer tokenizer,
            TokenEncoder encoder, SpecialTokens special, int maxPositions, PrintWriter log) throws IOException {
        TrainConfig.Data d = config.data();
        DataLayout layout = config.objectives().get(0).configured().requirements().layout();
        String firstId = config.objectives().get(0).id();
        List<PreferenceExample> trainExamples = loaded.train();
        List<PreferenceExample> validationExamples = loaded.validation();
        List<PreferenceExample> all = new ArrayList<>(trainExamples);
        all.addAll(validationExamples);
        TruncationSettings truncation = Lengths.resolve(d, TrainConfig.TINY.equals(config.model()), maxPositions);
        Lengths.report(d, truncation, maxPositions, log);
        ExampleTokenizer tokenize = exampleTokenizer(d, tokenizer, encoder, special, truncation, all, log);

        List<TokenizedPair> trainPairs = List.of();
        List<TokenizedUnpaired> trainUnpaired = List.of();
        List<TokenizedPair> validationPairs = List.of();
        List<TokenizedUnpaired> validationUnpaired = List.of();
        TokenizedData<?> trainTokens;
        if (layout == DataLayout.PAIRED) {
            TokenizedData<TokenizedPair> t = tokenize.tokenizePairs(ExampleLayouts.pairs(trainExamples, firstId));
            trainPairs = t.examples();
            trainTokens = t;
            if (!validationExamples.isEmpty()) {
                validationPairs = tokenize.tokenizePairs(ExampleLayouts.pairs(validationExamples, firstId)).examples();
            }
        } else {
            TokenizedData<TokenizedUnpaired> t = tokenize.tokenizeUnpaired(ExampleLayouts.unpaired(trainExamples));
            trainUnpaired = t.examples();
            trainTokens = t;
            List<PairedExample> valPairs = validationExamples.stream().filter(e -> e instanceof PairedExample)
                    .map(e -> (PairedExample) e).toList();
            if (!valPairs.isEmpty()) {
                validationPairs = tokenize.tokenizePairs(valPairs).examples();
            }
            if (!validationExamples.isEmpty()) {
                validationUnpaired = tokenize.tokenizeUnpaired(ExampleLayouts.unpaired(validationExamples)).examples();
            }
        }
        log.println("tokens: " + trainTokens.summary());
        Lengths.warnIfTruncating(trainTokens, "training examples", log);
        if (trainTokens.examples().isEmpty()) {
            throw new DpoException("no training example is left after tokenisation and truncation ("
                    + trainTokens.summary() + ")");
        }
        DatasetSummary summary = ExampleLayouts.summary(trainExamples, layout);
        for (TrainConfig.ObjectiveSpec spec : config.objectives()) {
            spec.configured().checkDataset(summary).forEach(w -> log.println("warning: " + w));
        }

        List<String> promptTexts = new ArrayList<>();
        List<TokenIds> promptIds = new ArrayList<>();
        int wanted = config.evaluation().samplePrompts();
        Path promptFile = config.evaluation().prompts() != null ? Path.of(config.evaluation().prompts())
                : d.synthetic() ? synthetic.resolve("prompts.jsonl") : null;
        boolean reward = switch (config.evaluation().trueReward()) {
            case SENTIMENT -> true;
            case NONE -> false;
            case AUTO -> d.synthetic();
        };
        if (promptFile != null) {
            for (String p : promptsOf(promptFile)) {
                if (promptTexts.size() >= wanted) {
                    break;
                }
                promptTexts.add(reward ? p : null);
                promptIds.add(TokenIds.of(encoder.encode(p)));
            }
        } else {
            Set<TokenIds> seen = new LinkedHashSet<>();
            for (TokenizedPair p : validationPairs) {
                if (seen.size() >= wanted) {
                    break;
                }
                seen.add(p.prompt());
            }
            for (TokenizedUnpaired u : validationUnpaired) {
                if (seen.size() >= wanted) {
                    break;
                }
                seen.add(u.prompt());
            }
            for (TokenIds p : seen) {
                promptIds.add(p);
                promptTexts.add(reward ? tokenizer.decode(java.util.Arrays.stream(p.toArray()).asLongStream()
                        .toArray(), true) : null);
            }
        }
        String fingerprint = DataFingerprint.of(trainTokens.examples().stream().map(x -> (io.dpo4j.core.data
                .TokenizedExample) x).toList(), truncation) + "/" + DataFingerprint.of(
                        new ArrayList<io.dpo4j.core.data.TokenizedExample>(validationPairs), truncation);
        return new PreparedData(layout, trainPairs, trainUnpaired, validationPairs, validationUnpaired, promptIds,
                promptTexts, fingerprint, truncation);
    }
}
