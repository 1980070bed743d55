package io.dpo4j.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.dpo4j.core.DpoException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Hugging Face chat template (the Jinja string in {@code tokenizer_config.json}), rendered with
 * jinjava the way {@code transformers} renders it: with {@code trim_blocks} and
 * {@code lstrip_blocks}, the variables {@code messages}, {@code add_generation_prompt},
 * {@code bos_token}, {@code eos_token}, and a {@code raise_exception(message)} function.
 *
 * <p>A prompt is rendered with {@code add_generation_prompt=true}; a response is the rendering of
 * prompt + response minus the rendering of the prompt, which must therefore be its prefix (TRL's
 * {@code maybe_apply_chat_template} does the same).
 */
public final class ChatTemplate {

    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    /**
     * @param template the Jinja source
     * @param bosToken the beginning-of-sequence token text, or null when the model has none
     * @param eosToken the end-of-sequence token text, or null when the model has none
     */
    public ChatTemplate(String template, String bosToken, String eosToken) {
        this.template = Objects.requireNonNull(template, "template");
        if (template.isBlank()) {
            throw new DpoException("the chat template is empty");
        }
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
    }

    /**
     * Reads the template and special tokens of a model from its {@code tokenizer_config.json}
     * ({@code chat_template} as a string, or a list of named templates of which {@code default} or
     * else the first is taken), falling back to a {@code chat_template.jinja} file beside it.
     *
     * @return empty when the model has no chat template
     * @throws DpoException when the file cannot be read or is not a JSON object
     */
    public static Optional<ChatTemplate> fromTokenizerConfig(Path tokenizerConfig) {
        JsonNode config;
        try {
            config = new ObjectMapper().readTree(tokenizerConfig.toFile());
        } catch (IOException e) {
            throw new DpoException(tokenizerConfig + ": cannot read the tokenizer configuration: " + e.getMessage(), e);
        }
        if (config == null || !config.isObject()) {
            throw new DpoException(tokenizerConfig + ": expected a JSON object");
        }
        String source = templateSource(config.get("chat_template"));
        Path sibling = tokenizerConfig.resolveSibling("chat_template.jinja");
        if (source == null && Files.isRegularFile(sibling)) {
            try {
                source = Files.readString(sibling, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new DpoException(sibling + ": cannot read the chat template: " + e.getMessage(), e);
            }
        }
        if (source == null || source.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new ChatTemplate(source, tokenText(config.get("bos_token")), tokenText(config.get("eos_token"))));
    }

    private static String templateSource(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            JsonNode first = null;
            for (JsonNode named : node) {
                if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
                    return named.get("template").textValue();
                }
                if (first == null && named.path("template").isTextual()) {
                    first = named.get("template");
                }
            }
            return first == null ? null : first.textValue();
        }
        return null;
    }

    /** A special token in tokenizer_config.json: a string, or an AddedToken object with "content". */
    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        JsonNode content = node.get("content");
        return content != null && content.isTextual() ? content.textValue() : null;
    }

    /** The Jinja source. */
    public String template() {
        return template;
    }

    /** The beginning-of-sequence token text, if the model has one. */
    public Optional<String> bosToken() {
        return Optional.ofNullable(bosToken);
    }

    /** The end-of-sequence token text, if the model has one. */
    public Optional<String> eosToken() {
        return Optional.ofNullable(eosToken);
    }

    /**
     * Renders a conversation.
     *
     * @throws ChatTemplateException when the template fails or rejects the conversation
     */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> turns = new ArrayList<>(messages.size());
        for (Message m : messages) {
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("role", m.role());
            turn.put("content", m.content());
            turns.add(turn);
        }
        Map<String, Object> context = new HashMap<>();
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        // A model without such a token leaves the variable undefined (renders as ""), as transformers does.
        if (bosToken != null) {
            context.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            context.put("eos_token", eosToken);
        }
        RenderResult result = jinjava.renderForResult(template, context);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                String raised = raisedMessage(error.getException());
                if (raised != null) {
                    throw new ChatTemplateException("the chat template rejected the conversation: " + raised, true);
                }
                throw new ChatTemplateException("the chat template failed"
                        + (error.getLineno() > 0 ? " at its line " + error.getLineno() : "") + ": " + error.getMessage(), false);
            }
        }
        return result.getOutput();
    }

    /** The prompt's text: the conversation rendered with the generation prompt (e.g. {@code <|im_start|>assistant\n}). */
    public String renderPrompt(List<Message> prompt) {
        return render(prompt, true);
    }

    /**
     * The response's text: the rendering of prompt + response without the prompt's rendering.
     *
     * @throws ChatTemplateException when the prompt's rendering is not a prefix of the whole, or the
     *     response renders as nothing
     */
    public String renderResponse(List<Message> prompt, List<Message> response) {
        String head = renderPrompt(prompt);
        List<Message> all = new ArrayList<>(prompt);
        all.addAll(response);
        String whole = render(all, false);
        if (!whole.startsWith(head)) {
            int at = 0;
            while (at < Math.min(head.length(), whole.length()) && head.charAt(at) == whole.charAt(at)) {
                at++;
            }
            throw new ChatTemplateException("the chat template does not render the prompt as a prefix of prompt + response, "
                    + "so the response cannot be told apart (they differ at character " + at + ": the prompt has \""
                    + JsonValues.abbreviate(head.substring(at), 30) + "\", prompt + response has \""
                    + JsonValues.abbreviate(whole.substring(at), 30) + "\")", false);
        }
        String rest = whole.substring(head.length());
        if (rest.isEmpty()) {
            throw new ChatTemplateException("the chat template renders the response as empty text", false);
        }
        return rest;
    }

    /** Called by templates as {@code raise_exception(message)}. */
    public static String raiseException(String message) {
        throw new RaisedByTemplate(message);
    }

    private static String raisedMessage(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RaisedByTemplate r) {
                return r.getMessage();
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    /** What {@code raise_exception} throws inside jinjava; found again in the error's causes. */
    private static final class RaisedByTemplate extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RaisedByTemplate(String message) {
            super(message, null, false, false);
        }
    }
}
