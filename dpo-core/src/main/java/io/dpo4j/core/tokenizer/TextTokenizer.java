package io.dpo4j.core.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.InputFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A Hugging Face tokenizer ({@code tokenizer.json}, run by DJL's native binding) that adds no special
 * tokens, never truncates and never pads: {@link #encode} returns exactly the tokens of the text, and
 * the caller decides where BOS/EOS go. The special tokens come from {@code tokenizer_config.json}
 * ({@link TokenizerSettings}) and are resolved to ids through the tokenizer's vocabulary.
 */
public final class TextTokenizer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerSettings settings;
    private final Map<String, Long> knownTokens;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, TokenizerSettings settings, Map<String, Long> knownTokens) {
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.knownTokens = knownTokens;
    }

    /**
     * Loads {@code tokenizer.json} and (if present) {@code tokenizer_config.json} from a model folder.
     *
     * @throws DpoException when {@code tokenizer.json} is missing or invalid
     */
    public static TextTokenizer load(Path folder) {
        Path file = folder.resolve("tokenizer.json");
        if (!Files.exists(file)) {
            throw new DpoException(file + ": file not found (a Hugging Face tokenizer.json is needed)");
        }
        InputFiles.checkRegular(file, InputFiles.TOKENIZER_JSON_BYTES, "tokenizer.json");
        TokenizerSettings settings = TokenizerSettings.read(folder);
        Map<String, Long> known = knownTokens(InputFiles.readJson(file, InputFiles.TOKENIZER_JSON_BYTES,
                "tokenizer.json"));
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(file,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (IOException | RuntimeException e) {
            throw new DpoException(file + ": cannot load the tokenizer: " + e.getMessage(), e);
        }
        return new TextTokenizer(tokenizer, settings, known);
    }

    /** The added tokens and, for vocabularies stored as a map, the vocabulary: text → id. */
    private static Map<String, Long> knownTokens(JsonNode json) {
        Map<String, Long> known = new HashMap<>();
        JsonNode vocab = json.path("model").path("vocab");
        if (vocab.isObject()) {
            vocab.properties().forEach(e -> known.put(e.getKey(), e.getValue().asLong()));
        }
        for (JsonNode t : json.path("added_tokens")) {
            if (t.path("content").isTextual() && t.path("id").canConvertToLong()) {
                known.put(t.get("content").asText(), t.get("id").asLong());
            }
        }
        return known;
    }

    /**
     * The number of ids the tokenizer can produce (highest known id + 1), when its vocabulary is
     * stored as a map (word-level, BPE, WordPiece) — empty for list vocabularies.
     */
    public java.util.OptionalInt vocabularySize() {
        return knownTokens.values().stream().mapToLong(Long::longValue).max()
                .stream().mapToInt(m -> Math.toIntExact(m + 1)).findFirst();
    }

    /** The token ids of {@code text}, with no special tokens added. */
    public long[] encode(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    /** The text of token ids. */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    /** The special tokens and chat template of {@code tokenizer_config.json}. */
    public TokenizerSettings settings() {
        return settings;
    }

    /** The chat template string, if the model has one. */
    public Optional<String> chatTemplate() {
        return settings.chatTemplate();
    }

    /**
     * The id of a token text: an added token, a vocabulary entry, or text that encodes to exactly one
     * id which decodes back to it (so an unknown token never resolves to the unknown-token id).
     */
    public OptionalLong tokenId(String token) {
        Long id = knownTokens.get(token);
        if (id != null) {
            return OptionalLong.of(id);
        }
        long[] ids = encode(token);
        if (ids.length == 1 && token.strip().equals(decode(ids, false).strip())) {
            return OptionalLong.of(ids[0]);
        }
        return OptionalLong.empty();
    }

    /** The end-of-sequence token id from {@code eos_token}, if set and known. */
    public OptionalLong eosTokenId() {
        return settings.eosToken().map(this::tokenId).orElse(OptionalLong.empty());
    }

    /** The padding token id from {@code pad_token}, if set and known. */
    public OptionalLong padTokenId() {
        return settings.padToken().map(this::tokenId).orElse(OptionalLong.empty());
    }

    /** The beginning-of-sequence token id from {@code bos_token}, if set and known. */
    public OptionalLong bosTokenId() {
        return settings.bosToken().map(this::tokenId).orElse(OptionalLong.empty());
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
