package io.dpo4j.core.data;

import io.dpo4j.core.DpoException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Tokenises examples: conversations are first rendered with the chat template; prompt and response
 * are encoded separately, the EOS id is appended to each response, then the length limits apply
 * ({@link TruncationSettings}). Nothing is lost silently: every example is kept or counted as
 * dropped, with up to five ids in the summary.
 *
 * <p>A prompt that encodes to no token is the row's fault (the first response token needs a
 * position before it): under {@code on_bad_row: error} it stops with a {@link DpoException}, under
 * {@code skip} the example is dropped and counted. So is a conversation that the template itself
 * rejects with {@code raise_exception}. A template that fails otherwise is always an error.
 */
public final class ExampleTokenizer {

    private final TokenEncoder encoder;
    private final ChatTemplate chatTemplate;
    private final TruncationSettings settings;
    private final BadRowPolicy onBadRow;

    /**
     * @param encoder the model's tokenizer
     * @param chatTemplate the model's chat template, or null when it has none (conversations are then an error)
     * @param settings the length limits
     * @param onBadRow what to do with an example whose prompt has no token or that the template rejects
     */
    public ExampleTokenizer(TokenEncoder encoder, ChatTemplate chatTemplate, TruncationSettings settings,
            BadRowPolicy onBadRow) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.chatTemplate = chatTemplate;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.onBadRow = Objects.requireNonNull(onBadRow, "onBadRow");
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
            Optional<TokenIds[]> ids = encode(p, p.prompt(), List.of(p.chosen(), p.rejected()), tally);
            if (ids.isEmpty()) {
                continue;
            }
            TokenIds[] t = ids.get();
            Truncation.Plan plan = Truncation.plan(t[0].length(), new int[] {t[1].length(), t[2].length()}, settings);
            if (plan.dropped() != null) {
                tally.drop(p.id(), plan.dropped());
                continue;
            }
            TokenIds prompt = t[0].tail(plan.promptLength());
            TokenIds chosen = t[1].head(plan.responseLengths()[0]);
            TokenIds rejected = t[2].head(plan.responseLengths()[1]);
            boolean cut = prompt.length() < t[0].length() || chosen.length() < t[1].length()
                    || rejected.length() < t[2].length();
            tally.truncated += cut ? 1 : 0;
            out.add(new TokenizedPair(p.id(), p.source(), prompt, chosen, rejected, cut));
        }
        return new TokenizedData<>(out, pairs.size(), tally.truncated, tally.dropped, tally.droppedIds, settings);
    }

    /** Tokenises unpaired examples. */
    public TokenizedData<TokenizedUnpaired> tokenizeUnpaired(List<UnpairedExample> examples) {
        requireTemplateFor(examples);
        Tally tally = new Tally();
        List<TokenizedUnpaired> out = new ArrayList<>(examples.size());
        for (UnpairedExample e : examples) {
            Optional<TokenIds[]> ids = encode(e, e.prompt(), List.of(e.completion()), tally);
            if (ids.isEmpty()) {
                continue;
            }
            TokenIds[] t = ids.get();
            Truncation.Plan plan = Truncation.plan(t[0].length(), new int[] {t[1].length()}, settings);
            if (plan.dropped() != null) {
                tally.drop(e.id(), plan.dropped());
                continue;
            }
            TokenIds prompt = t[0].tail(plan.promptLength());
            TokenIds completion = t[1].head(plan.responseLengths()[0]);
            boolean cut = prompt.length() < t[0].length() || completion.length() < t[1].length();
            tally.truncated += cut ? 1 : 0;
            out.add(new TokenizedUnpaired(e.id(), e.source(), prompt, completion, e.desirable(), cut));
        }
        return new TokenizedData<>(out, examples.size(), tally.truncated, tally.dropped, tally.droppedIds, settings);
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

    /** Prompt ids then response ids (EOS appended), or empty when the example is dropped. */
    private Optional<TokenIds[]> encode(PreferenceExample example, Content prompt, List<Content> responses, Tally tally) {
        String promptText;
        List<String> responseTexts = new ArrayList<>(responses.size());
        try {
            promptText = text(prompt, null);
            for (Content r : responses) {
                responseTexts.add(text(prompt, r));
            }
        } catch (ChatTemplateException e) {
            if (!e.rejectedByTemplate()) {
                throw new ChatTemplateException(example.source() + ": " + e.getMessage(), false);
            }
            return fault(example, DropReason.REJECTED_BY_TEMPLATE, e.getMessage(), tally);
        }
        TokenIds[] ids = new TokenIds[1 + responses.size()];
        ids[0] = TokenIds.of(checked(encoder.encode(promptText)));
        if (ids[0].isEmpty()) {
            return fault(example, DropReason.EMPTY_PROMPT, "the prompt " + "\"" + JsonValues.abbreviate(promptText)
                    + "\" encodes to no token; a response needs at least one prompt token before it", tally);
        }
        for (int i = 0; i < responseTexts.size(); i++) {
            ids[i + 1] = TokenIds.of(checked(encoder.encode(responseTexts.get(i)))).append(encoder.eosTokenId());
        }
        return Optional.of(ids);
    }

    private Optional<TokenIds[]> fault(PreferenceExample example, DropReason reason, String message, Tally tally) {
        if (onBadRow == BadRowPolicy.ERROR) {
            throw new DpoException(example.source() + ": " + message + " (set on_bad_row: skip to drop such rows)");
        }
        tally.drop(example.id(), reason);
        return Optional.empty();
    }

    /** The text to encode: plain text as it is, a conversation rendered (prompt, or the response after it). */
    private String text(Content prompt, Content response) {
        Content c = response == null ? prompt : response;
        if (c instanceof Content.Text t) {
            return t.text();
        }
        List<Message> promptMessages = ((Content.Conversation) prompt).messages();
        return response == null ? chatTemplate.renderPrompt(promptMessages)
                : chatTemplate.renderResponse(promptMessages, ((Content.Conversation) response).messages());
    }

    private int[] checked(int[] ids) {
        int vocabulary = encoder.vocabularySize();
        for (int id : ids) {
            if (id < 0 || id >= vocabulary) {
                throw new IllegalStateException("the tokenizer returned id " + id + " outside its vocabulary of " + vocabulary);
            }
        }
        return ids;
    }

    /** Counts as tokenisation goes. */
    private static final class Tally {
        long truncated;
        final Map<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
        final List<String> droppedIds = new ArrayList<>();

        void drop(String id, DropReason reason) {
            dropped.merge(reason, 1L, Long::sum);
            if (droppedIds.size() < TokenizedData.MAX_DROPPED_IDS) {
                droppedIds.add(id);
            }
        }
    }
}
