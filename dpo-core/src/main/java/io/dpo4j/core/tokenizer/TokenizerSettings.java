package io.dpo4j.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.InputFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code tokenizer_config.json} says about special tokens and chat formatting. Token fields may
 * be strings or Hugging Face {@code AddedToken} objects ({@code {"content": …}}); a chat template may
 * be a string, a list of named templates (the one named "default", else the first, is taken) or a
 * separate {@code chat_template.jinja} file, which takes precedence over the JSON field as in transformers.
 *
 * @param bosToken the beginning-of-sequence token text
 * @param eosToken the end-of-sequence token text
 * @param padToken the padding token text
 * @param unkToken the unknown token text
 * @param chatTemplate the Jinja chat template, kept as text (not rendered here)
 * @param modelMaxLength {@code model_max_length}, if given
 * @param chatTemplateSource where the chat template was read (its file, for messages), if there is one
 * @param additionalSpecialTokens {@code additional_special_tokens} (passed to chat templates as transformers does)
 * @param addBosToken {@code add_bos_token}, if given: whether the model's tokenizer writes a BOS by default
 */
public record TokenizerSettings(Optional<String> bosToken, Optional<String> eosToken, Optional<String> padToken,
        Optional<String> unkToken, Optional<String> chatTemplate, Optional<Long> modelMaxLength,
        Optional<String> chatTemplateSource, java.util.List<String> additionalSpecialTokens,
        Optional<Boolean> addBosToken) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** No special tokens, no template. */
    public static TokenizerSettings none() {
        return new TokenizerSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), java.util.List.of(), Optional.empty());
    }

    /** Copies the list of additional special tokens. */
    public TokenizerSettings {
        additionalSpecialTokens = java.util.List.copyOf(additionalSpecialTokens);
    }

    /**
     * Reads {@code tokenizer_config.json} (and {@code chat_template.jinja}) from a folder; absent files
     * give empty settings.
     *
     * @throws DpoException when a file exists but is not valid
     */
    public static TokenizerSettings read(Path folder) {
        Path file = folder.resolve("tokenizer_config.json");
        Path jinjaFile = folder.resolve("chat_template.jinja");
        Optional<String> jinja = readJinja(jinjaFile);
        Optional<String> jinjaSource = jinja.map(j -> jinjaFile.toString());
        if (!Files.exists(file)) {
            return new TokenizerSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    jinja, Optional.empty(), jinjaSource, java.util.List.of(), Optional.empty());
        }
        JsonNode json = InputFiles.readJson(file, InputFiles.TOKENIZER_CONFIG_BYTES, "tokenizer_config.json");
        if (json == null || !json.isObject()) {
            throw new DpoException(file + ": expected a JSON object");
        }
        Optional<String> template = chatTemplate(file, json.get("chat_template"));
        JsonNode max = json.get("model_max_length");
        java.util.List<String> additional = new java.util.ArrayList<>();
        for (JsonNode t : json.path("additional_special_tokens")) {
            if (t.isTextual()) {
                additional.add(t.asText());
            } else if (t.path("content").isTextual()) {
                additional.add(t.get("content").asText());
            }
        }
        JsonNode addBos = json.get("add_bos_token");
        return new TokenizerSettings(token(file, json, "bos_token"), token(file, json, "eos_token"),
                token(file, json, "pad_token"), token(file, json, "unk_token"),
                jinja.isPresent() ? jinja : template,
                max != null && max.isIntegralNumber() && max.canConvertToLong() ? Optional.of(max.asLong())
                        : Optional.empty(),
                jinja.isPresent() ? jinjaSource : template.map(t -> file + " (chat_template)"), additional,
                addBos != null && addBos.isBoolean() ? Optional.of(addBos.asBoolean()) : Optional.empty());
    }

    private static Optional<String> token(Path file, JsonNode json, String field) {
        JsonNode n = json.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (n.isTextual()) {
            return Optional.of(n.asText());
        }
        if (n.isObject() && n.path("content").isTextual()) {
            return Optional.of(n.get("content").asText());
        }
        throw new DpoException(file + ": " + field + " = " + n + ": expected a string or {\"content\": …}");
    }

    private static Optional<String> chatTemplate(Path file, JsonNode n) {
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (n.isTextual()) {
            return Optional.of(n.asText());
        }
        if (n.isArray() && n.size() > 0) {
            for (JsonNode t : n) {
                if ("default".equals(t.path("name").asText()) && t.path("template").isTextual()) {
                    return Optional.of(t.get("template").asText());
                }
            }
            if (n.get(0).path("template").isTextual()) {
                return Optional.of(n.get(0).get("template").asText());
            }
        }
        throw new DpoException(file + ": chat_template: expected a string or a list of {\"name\", \"template\"}");
    }

    private static Optional<String> readJinja(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(InputFiles.readString(file, InputFiles.TOKENIZER_CONFIG_BYTES, "a chat template file"));
    }
}
