package io.dpo4j.core.data;

import io.dpo4j.core.DpoException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Tokenises examples the way TRL's DPO trainer does: conversations are first rendered with the chat
 * template (the prompt with the generation prompt, each response as the rest of the whole
 * conversation's rendering); prompt and response are encoded <em>separately</em>, with no special
 * token added by the tokenizer; then the length limits apply ({@link TruncationSettings}).
 *
 * <p>The special-token rule, one for every command: a response ends with the model's EOS id — it is
 * appended unless the response's last token already is EOS (a template that writes {@code eos_token}
 * itself, as Llama 3's {@code <|eot_id|>} or Mistral's {@code </s>}, gets no second one). The only
 * BOS is the one the chat template writes; plain-text prompts get none unless
 * {@link #withPlainTextBos(int)} asks for the model's (TRL adds none).
 *
 * <p>Nothing is lost silently: every example is kept or counted as dropped, with up to five ids in
 * the summary. A prompt that encodes to no token, a text with a lone UTF-16 surrogate (which no
 * tokenizer can encode; rejected, never altered) and a conversation the template rejects with
 * {@code raise_exception} are the row's fault: under {@code on_bad_row: error} they stop with a
 * {@link DpoException} naming the row, under {@code skip} the example is dropped and counted. A
 * template that fails otherwise is always an error.
 */
public final class ExampleTokenizer {

    private final TokenEncoder encoder;
    private final ChatTemplate chatTemplate;
    private final TruncationSettings settings;
    private final BadRowPolicy onBadRow;
    private final int plainTextBos;
    private final Consumer<RowTrace> trace;

    /** For models without a chat template: the messages' contents joined by spaces. */
    public static final String PLAIN_TEMPLATE = "{% for message in messages %}{% if not loop.first %} {% endif %}"
            + "{{ message['content'] }}{% endfor %}{% if add_generation_prompt %} {% endif %}";

    /**
     * The tokenizer of examples every command uses (training, {@code dpo score}, {@code dpo data inspect}):
     * the model's chat template (or, for conversations with a model that has none, the messages'
     * contents joined by spaces, with a warning), the limits, the bad-row policy and the BOS rule.
     *
     * @param special the model's special tokens ({@link io.dpo4j.core.tokenizer.SpecialTokens})
     * @param addBos prepend the model's BOS to plain-text prompts ({@code data.add_bos})
     * @param examples the examples it will see (to warn about conversations without a template)
     * @throws DpoException when {@code addBos} is asked of a model without a BOS token
     */
    public static ExampleTokenizer forModel(io.dpo4j.core.tokenizer.TextTokenizer tokenizer, TokenEncoder encoder,
            io.dpo4j.core.tokenizer.SpecialTokens special, TruncationSettings truncation, BadRowPolicy onBadRow,
            boolean addBos, List<? extends PreferenceExample> examples, java.io.PrintWriter log) {
        ChatTemplate template = ChatTemplate.of(tokenizer.settings(), io.dpo4j.core.jinja.RenderLimits.DEFAULT)
                .orElse(null);
        if (template == null && examples.stream().anyMatch(PreferenceExample::isConversation)) {
            log.println("warning: the model has no chat template (chat_template in tokenizer_config.json); "
                    + "conversations are rendered as their messages' contents joined by spaces");
            template = new ChatTemplate(PLAIN_TEMPLATE, null, null);
        }
        ExampleTokenizer tokenize = new ExampleTokenizer(encoder, template, truncation, onBadRow);
        if (addBos) {
            if (special.bos().isEmpty()) {
                throw new DpoException("data.add_bos is true but the model defines no beginning-of-sequence token "
                        + "(bos_token in tokenizer_config.json, bos_token_id in config.json)");
            }
            tokenize = tokenize.withPlainTextBos(special.bos().getAsInt());
        }
        return tokenize;
    }

    /**
     * @param encoder the model's tokenizer
     * @param chatTemplate the model's chat template, or null when it has none (conversations are then an error)
     * @param settings the length limits
     * @param onBadRow what to do with an example whose prompt has no token or that the template rejects
     */
    public ExampleTokenizer(TokenEncoder encoder, ChatTemplate chatTemplate, TruncationSettings settings,
            BadRowPolicy onBadRow) {
        this(encoder, chatTemplate, settings, onBadRow, -1, null);
    }

    private ExampleTokenizer(TokenEncoder encoder, ChatTemplate chatTemplate, TruncationSettings settings,
            BadRowPolicy onBadRow, int plainTextBos, Consumer<RowTrace> trace) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.chatTemplate = chatTemplate;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.onBadRow = Objects.requireNonNull(onBadRow, "onBadRow");
        this.plainTextBos = plainTextBos;
        this.trace = trace;
    }

    /** The same, writing {@code bosId} before every plain-text prompt (negative: none, the default). */
    public ExampleTokenizer withPlainTextBos(int bosId) {
        return new ExampleTokenizer(encoder, chatTemplate, settings, onBadRow, bosId, trace);
    }

    /** The same, telling {@code observer} what happened to every example (for {@code dpo data inspect}). */
    public ExampleTokenizer withTrace(Consumer<RowTrace> observer) {
        return new ExampleTokenizer(encoder, chatTemplate, settings, onBadRow, plainTextBos, observer);
    }

    /** The length limits applied. */
    public TruncationSettings settings() {
        return settings;
    }

    /** Tokenises pairs. */
    public TokenizedData<TokenizedPair> tokenizePairs(List<PairedExample> pairs) {
        requireTemplateFor(pairs);
        Tally tally = new Tally();
        List<TokenizedPair> out = new ArrayList<>(pairs.size());
        for (PairedExample p : pairs) {
            Encoded e = encode(p, p.prompt(), List.of(p.chosen(), p.rejected()), List.of("chosen", "rejected"));
            TokenizedPair kept = null;
            if (e.dropped == null) {
                TokenIds[] t = e.ids;
                Truncation.Plan plan = Truncation.plan(t[0].length(), new int[] {t[1].length(), t[2].length()}, settings);
                if (plan.dropped() != null) {
                    e.drop(plan.dropped(), null);
                } else {
                    TokenIds prompt = t[0].tail(plan.promptLength());
                    TokenIds chosen = t[1].head(plan.responseLengths()[0]);
                    TokenIds rejected = t[2].head(plan.responseLengths()[1]);
                    boolean cut = prompt.length() < t[0].length() || chosen.length() < t[1].length()
                            || rejected.length() < t[2].length();
                    kept = new TokenizedPair(p.id(), p.source(), prompt, chosen, rejected, cut);
                    out.add(kept);
                }
            }
            tally.count(p.id(), e, kept);
            emit(p, e, kept);
        }
        return new TokenizedData<>(out, pairs.size(), tally.truncated, tally.dropped, tally.droppedIds, settings,
                tally.joinedDifferently);
    }

    /** Tokenises unpaired examples. */
    public TokenizedData<TokenizedUnpaired> tokenizeUnpaired(List<UnpairedExample> examples) {
        requireTemplateFor(examples);
        Tally tally = new Tally();
        List<TokenizedUnpaired> out = new ArrayList<>(examples.size());
        for (UnpairedExample u : examples) {
            Encoded e = encode(u, u.prompt(), List.of(u.completion()), List.of("completion"));
            TokenizedUnpaired kept = null;
            if (e.dropped == null) {
                TokenIds[] t = e.ids;
                Truncation.Plan plan = Truncation.plan(t[0].length(), new int[] {t[1].length()}, settings);
                if (plan.dropped() != null) {
                    e.drop(plan.dropped(), null);
                } else {
                    TokenIds prompt = t[0].tail(plan.promptLength());
                    TokenIds completion = t[1].head(plan.responseLengths()[0]);
                    boolean cut = prompt.length() < t[0].length() || completion.length() < t[1].length();
                    kept = new TokenizedUnpaired(u.id(), u.source(), prompt, completion, u.desirable(), cut);
                    out.add(kept);
                }
            }
            tally.count(u.id(), e, kept);
            emit(u, e, kept);
        }
        return new TokenizedData<>(out, examples.size(), tally.truncated, tally.dropped, tally.droppedIds, settings,
                tally.joinedDifferently);
    }

    private void emit(PreferenceExample example, Encoded e, TokenizedExample kept) {
        if (trace == null) {
            return;
        }
        List<TokenIds> responses = new ArrayList<>();
        for (int i = 1; e.ids != null && i < e.ids.length; i++) {
            responses.add(e.ids[i]);
        }
        trace.accept(new RowTrace(example.id(), example.source(), e.promptText, e.responseTexts,
                e.ids == null ? TokenIds.of() : e.ids[0], responses, e.joinedDiffers, kept, e.dropped, e.message));
    }

    private void requireTemplateFor(List<? extends PreferenceExample> examples) {
        if (chatTemplate != null) {
            return;
        }
        for (PreferenceExample e : examples) {
            if (e.isConversation()) {
                throw new DpoException(e.source() + ": this row is a conversation (lists of messages), but the model has no "
                        + "chat template to render it (no 'chat_template' in its tokenizer_config.json); "
                        + "use plain-text rows or a model with a chat template");
            }
        }
    }

    /** One example's texts and ids (prompt, then each response with its EOS), or why it is dropped. */
    private static final class Encoded {
        String promptText;
        List<String> responseTexts = new ArrayList<>();
        TokenIds[] ids;
        List<Boolean> joinedDiffers = new ArrayList<>();
        DropReason dropped;
        String message;

        void drop(DropReason reason, String why) {
            dropped = reason;
            message = why;
        }
    }

    private Encoded encode(PreferenceExample example, Content prompt, List<Content> responses, List<String> fields) {
        Encoded e = new Encoded();
        String surrogate = loneSurrogate(prompt, "prompt");
        for (int i = 0; i < responses.size() && surrogate == null; i++) {
            surrogate = loneSurrogate(responses.get(i), fields.get(i));
        }
        if (surrogate != null) {
            return fault(example, e, DropReason.LONE_SURROGATE, surrogate);
        }
        try {
            e.promptText = prompt instanceof Content.Text t ? t.text()
                    : chatTemplate.renderPrompt(((Content.Conversation) prompt).messages());
            for (Content r : responses) {
                e.responseTexts.add(r instanceof Content.Text t ? t.text() : chatTemplate.renderResponse(e.promptText,
                        ((Content.Conversation) prompt).messages(), ((Content.Conversation) r).messages()));
            }
        } catch (ChatTemplateException x) {
            if (!x.rejectedByTemplate()) {
                throw new ChatTemplateException(example.source() + ": " + x.getMessage(), false);
            }
            return fault(example, e, DropReason.REJECTED_BY_TEMPLATE, x.getMessage());
        }
        int[] promptIds = checked(encoder.encode(e.promptText));
        TokenIds promptTokens = TokenIds.of(promptIds);
        if (plainTextBos >= 0 && prompt instanceof Content.Text && (promptIds.length == 0 || promptIds[0] != plainTextBos)) {
            int[] withBos = new int[promptIds.length + 1];
            withBos[0] = plainTextBos;
            System.arraycopy(promptIds, 0, withBos, 1, promptIds.length);
            promptTokens = TokenIds.of(withBos);
        }
        e.ids = new TokenIds[1 + responses.size()];
        e.ids[0] = promptTokens;
        if (promptTokens.isEmpty()) {
            return fault(example, e, DropReason.EMPTY_PROMPT, "the prompt \"" + JsonValues.abbreviate(e.promptText)
                    + "\" encodes to no token; a response needs at least one prompt token before it");
        }
        int eos = encoder.eosTokenId();
        for (int i = 0; i < e.responseTexts.size(); i++) {
            int[] ids = checked(encoder.encode(e.responseTexts.get(i)));
            TokenIds r = TokenIds.of(ids);
            e.ids[i + 1] = ids.length > 0 && ids[ids.length - 1] == eos ? r : r.append(eos);
            int[] joined = encoder.encode(e.promptText + e.responseTexts.get(i));
            e.joinedDiffers.add(!concatenationEquals(promptIds, ids, joined));
        }
        return e;
    }

    private static boolean concatenationEquals(int[] a, int[] b, int[] joined) {
        if (joined.length != a.length + b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != joined[i]) {
                return false;
            }
        }
        for (int i = 0; i < b.length; i++) {
            if (b[i] != joined[a.length + i]) {
                return false;
            }
        }
        return true;
    }

    /** A message naming the field that holds a lone surrogate, or null. */
    private static String loneSurrogate(Content c, String field) {
        if (c instanceof Content.Text t) {
            return surrogateMessage(field, t.text());
        }
        List<Message> messages = ((Content.Conversation) c).messages();
        for (int i = 0; i < messages.size(); i++) {
            String m = surrogateMessage(field + "[" + i + "].content", messages.get(i).content());
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    private static String surrogateMessage(String field, String text) {
        int at = TextChecks.loneSurrogate(text);
        if (at < 0) {
            return null;
        }
        return "field '" + field + "': a lone surrogate U+" + String.format("%04X", (int) text.charAt(at))
                + " at character " + at + " (an escape such as \\ud800 without its pair is not Unicode text; "
                + "no tokenizer can encode it)";
    }

    private Encoded fault(PreferenceExample example, Encoded e, DropReason reason, String message) {
        if (onBadRow == BadRowPolicy.ERROR) {
            throw new DpoException(example.source() + ": " + message + " (set on_bad_row: skip to drop such rows)");
        }
        e.drop(reason, message);
        return e;
    }

    private int[] checked(int[] ids) {
        int vocabulary = encoder.vocabularySize();
        for (int id : ids) {
            if (id < 0 || id >= vocabulary) {
                throw new DpoException("the tokenizer returned id " + id + " outside the model's vocabulary of "
                        + vocabulary + " (is the tokenizer the model's?)");
            }
        }
        return ids;
    }

    /** Counts as tokenisation goes. */
    private static final class Tally {
        long truncated;
        long joinedDifferently;
        final Map<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
        final List<String> droppedIds = new ArrayList<>();

        void count(String id, Encoded e, TokenizedExample kept) {
            if (kept == null) {
                dropped.merge(e.dropped, 1L, Long::sum);
                if (droppedIds.size() < TokenizedData.MAX_DROPPED_IDS) {
                    droppedIds.add(id);
                }
                return;
            }
            boolean cut = kept instanceof TokenizedPair p ? p.truncated() : ((TokenizedUnpaired) kept).truncated();
            truncated += cut ? 1 : 0;
            joinedDifferently += e.joinedDiffers.contains(true) ? 1 : 0;
        }
    }
}
