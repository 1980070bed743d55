package io.dpo4j.core.data;

import io.dpo4j.core.DpoException;
import io.dpo4j.core.jinja.JinjaException;
import io.dpo4j.core.jinja.JinjaTemplate;
import io.dpo4j.core.jinja.RenderLimits;
import io.dpo4j.core.tokenizer.TokenizerSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Hugging Face chat template rendered as transformers' {@code apply_chat_template} renders it:
 * Python jinja2's semantics with {@code trim_blocks} and {@code lstrip_blocks} ({@link JinjaTemplate}),
 * the variables {@code messages}, {@code add_generation_prompt}, {@code tools} and {@code documents}
 * (both None), the special tokens of {@code tokenizer_config.json} ({@code bos_token},
 * {@code eos_token}, {@code unk_token}, {@code pad_token}, {@code additional_special_tokens}; a token
 * the model lacks is left undefined) and the functions {@code raise_exception} and
 * {@code strftime_now}. Anything else ({@code enable_thinking}, say) is undefined, as when
 * transformers is called without it. Rendering is bounded by {@link RenderLimits}.
 *
 * <p>A prompt is rendered with {@code add_generation_prompt=true}; a response is the rendering of
 * prompt + response minus the rendering of the prompt, which must therefore be its prefix (TRL's
 * {@code maybe_apply_chat_template} does the same).
 */
public final class ChatTemplate {

    private final String name;
    private final String template;
    private final JinjaTemplate compiled;
    private final Map<String, Object> specialTokens;
    private final RenderLimits limits;

    /**
     * @param name how messages name the template (its file)
     * @param template the Jinja source
     * @param specialTokens the variables {@code bos_token}, {@code eos_token}, … (absent ones stay undefined)
     * @param limits the bounds of one rendering
     * @throws DpoException naming the template and line when it does not parse
     */
    public ChatTemplate(String name, String template, Map<String, ?> specialTokens, RenderLimits limits) {
        this.name = Objects.requireNonNull(name, "name");
        this.template = Objects.requireNonNull(template, "template");
        this.limits = Objects.requireNonNull(limits, "limits");
        if (template.isBlank()) {
            throw new DpoException(name + ": the chat template is empty");
        }
        this.specialTokens = new LinkedHashMap<>(specialTokens);
        try {
            this.compiled = JinjaTemplate.parse(name, template);
        } catch (JinjaException e) {
            throw new DpoException("the chat template " + e.getMessage());
        }
    }

    /**
     * A template with only {@code bos_token} and {@code eos_token} (either may be null) and the default limits.
     */
    public ChatTemplate(String template, String bosToken, String eosToken) {
        this("chat template", template, tokens(bosToken, eosToken, null, null, List.of()), RenderLimits.DEFAULT);
    }

    private static Map<String, Object> tokens(String bos, String eos, String unk, String pad, List<String> additional) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (bos != null) {
            m.put("bos_token", bos);
        }
        if (eos != null) {
            m.put("eos_token", eos);
        }
        if (unk != null) {
            m.put("unk_token", unk);
        }
        if (pad != null) {
            m.put("pad_token", pad);
        }
        if (!additional.isEmpty()) {
            m.put("additional_special_tokens", List.copyOf(additional));
        }
        return m;
    }

    /** The model's template with its special tokens, or empty when it has none. */
    public static Optional<ChatTemplate> of(TokenizerSettings settings, RenderLimits limits) {
        return settings.chatTemplate().filter(t -> !t.isBlank()).map(t -> new ChatTemplate(
                settings.chatTemplateSource().orElse("chat template"), t, tokens(settings.bosToken().orElse(null),
                        settings.eosToken().orElse(null), settings.unkToken().orElse(null),
                        settings.padToken().orElse(null), settings.additionalSpecialTokens()), limits));
    }

    /**
     * Reads the template and special tokens of a model from the folder of its {@code tokenizer_config.json}
     * ({@code chat_template.jinja} first, as transformers reads it; then {@code chat_template} as a string
     * or a list of named templates of which {@code default}, else the first, is taken).
     *
     * @return empty when the model has no chat template
     * @throws DpoException when a file cannot be read or the template does not parse
     */
    public static Optional<ChatTemplate> fromTokenizerConfig(Path tokenizerConfig) {
        Path folder = tokenizerConfig.toAbsolutePath().getParent();
        return of(TokenizerSettings.read(folder), RenderLimits.DEFAULT);
    }

    /** The Jinja source. */
    public String template() {
        return template;
    }

    /** How messages name the template. */
    public String name() {
        return name;
    }

    /** The beginning-of-sequence token text, if the model has one. */
    public Optional<String> bosToken() {
        return Optional.ofNullable((String) specialTokens.get("bos_token"));
    }

    /** The end-of-sequence token text, if the model has one. */
    public Optional<String> eosToken() {
        return Optional.ofNullable((String) specialTokens.get("eos_token"));
    }

    /**
     * Renders a conversation.
     *
     * @throws ChatTemplateException when the template fails, breaks a limit, or rejects the conversation
     */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> turns = new ArrayList<>(messages.size());
        for (Message m : messages) {
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("role", m.role());
            turn.put("content", m.content());
            turns.add(turn);
        }
        Map<String, Object> context = new HashMap<>(specialTokens);
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("tools", null);
        context.put("documents", null);
        try {
            return compiled.render(context, limits);
        } catch (JinjaException e) {
            if (e.kind() == JinjaException.Kind.RAISED) {
                throw new ChatTemplateException("the chat template rejected the conversation: " + e.detail(), true);
            }
            throw new ChatTemplateException("the chat template " + e.getMessage(), false);
        }
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
        return renderResponse(renderPrompt(prompt), prompt, response);
    }

    /** {@link #renderResponse(List, List)} with the prompt's rendering already at hand. */
    public String renderResponse(String head, List<Message> prompt, List<Message> response) {
        List<Message> all = new ArrayList<>(prompt);
        all.addAll(response);
        String whole = render(all, false);
        if (!whole.startsWith(head)) {
            int at = 0;
            while (at < Math.min(head.length(), whole.length()) && head.charAt(at) == whole.charAt(at)) {
                at++;
            }
            throw new ChatTemplateException("the chat template " + name + " does not render the prompt as a prefix of "
                    + "prompt + response, so the response cannot be told apart (they differ at character " + at
                    + ": the prompt has \"" + JsonValues.abbreviate(head.substring(at), 30) + "\", prompt + response has \""
                    + JsonValues.abbreviate(whole.substring(at), 30) + "\")", false);
        }
        String rest = whole.substring(head.length());
        if (rest.isEmpty()) {
            throw new ChatTemplateException("the chat template " + name + " renders the response as empty text", false);
        }
        return rest;
    }
}
