package io.dpo4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("ExampleTokenizer: prompt and response tokenised apart, EOS appended, limits applied, nothing lost silently")
class ExampleTokenizerTest {

    private final WordEncoder words = new WordEncoder();

    private static PairedExample pair(String id, String prompt, String chosen, String rejected) {
        return new PairedExample(id, "t.jsonl:1", Content.text(prompt), Content.text(chosen), Content.text(rejected));
    }

    private static String numbered(String prefix, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(prefix).append(i).append(' ');
        }
        return s.toString().trim();
    }

    private ExampleTokenizer tokenizer(int maxPrompt, int maxResponse, int maxLength, TruncationPolicy policy) {
        return new ExampleTokenizer(words, null, new TruncationSettings(maxPrompt, maxResponse, maxLength, policy), BadRowPolicy.ERROR);
    }

    private TokenIds ids(String text) {
        return TokenIds.of(words.encode(text));
    }

    @Test
    @DisplayName("tokenises prompt and responses separately and appends EOS to each response only")
    void eos() {
        TokenizedData<TokenizedPair> d = tokenizer(100, 100, 1000, TruncationPolicy.TRUNCATE)
                .tokenizePairs(List.of(pair("a", "what is it", "a cat", "a dog")));
        TokenizedPair p = d.examples().get(0);
        assertThat(p.prompt()).isEqualTo(ids("what is it"));
        assertThat(p.chosen()).isEqualTo(ids("a cat").append(WordEncoder.EOS));
        assertThat(p.rejected()).isEqualTo(ids("a dog").append(WordEncoder.EOS));
        assertThat(p.truncated()).isFalse();
        assertThat(d.summary()).startsWith("tokenised 1 example: 1 kept (0 truncated)");
    }

    @Nested
    @DisplayName("under truncate")
    class Truncate {

        @Test
        @DisplayName("a long prompt keeps its end (cut from the left) to max_prompt_length")
        void promptFromLeft() {
            TokenizedPair p = tokenizer(3, 100, 1000, TruncationPolicy.TRUNCATE)
                    .tokenizePairs(List.of(pair("a", numbered("p", 6), "c", "r"))).examples().get(0);
            assertThat(p.prompt()).isEqualTo(ids("p3 p4 p5"));
            assertThat(p.truncated()).isTrue();
        }

        @Test
        @DisplayName("a long response keeps its start to max_response_length (its EOS is cut with it)")
        void responseFromRight() {
            TokenizedPair p = tokenizer(100, 3, 1000, TruncationPolicy.TRUNCATE)
                    .tokenizePairs(List.of(pair("a", "q", numbered("c", 5), "r"))).examples().get(0);
            assertThat(p.chosen()).isEqualTo(ids("c0 c1 c2"));
            assertThat(p.rejected()).isEqualTo(ids("r").append(WordEncoder.EOS));
        }

        @Test
        @DisplayName("over max_length, the prompt is shortened first (down to one token), then the responses")
        void promptFirstThenResponses() {
            // prompt 6, chosen 4 + EOS = 5, rejected 1 + EOS = 2; max_length 8 → prompt 3 keeps room for chosen.
            TokenizedPair p = tokenizer(100, 100, 8, TruncationPolicy.TRUNCATE)
                    .tokenizePairs(List.of(pair("a", numbered("p", 6), numbered("c", 4), "r"))).examples().get(0);
            assertThat(p.prompt()).isEqualTo(ids("p3 p4 p5"));
            assertThat(p.chosen().length()).isEqualTo(5);
            // max_length 4: the prompt goes down to 1 token, then the chosen response is cut to 3.
            TokenizedPair q = tokenizer(100, 100, 4, TruncationPolicy.TRUNCATE)
                    .tokenizePairs(List.of(pair("b", numbered("p", 6), numbered("c", 4), "r"))).examples().get(0);
            assertThat(q.prompt()).isEqualTo(ids("p5"));
            assertThat(q.chosen()).isEqualTo(ids("c0 c1 c2"));
            assertThat(q.rejected()).isEqualTo(ids("r").append(WordEncoder.EOS));
        }

        @Test
        @DisplayName("max_length 2 still leaves one prompt and one response token; max_length 1 cannot fit and is counted")
        void tightest() {
            List<PairedExample> pairs = List.of(pair("a", "p q", "c d", "r"));
            TokenizedPair p = tokenizer(100, 100, 2, TruncationPolicy.TRUNCATE).tokenizePairs(pairs).examples().get(0);
            assertThat(p.prompt()).isEqualTo(ids("q"));
            assertThat(p.chosen()).isEqualTo(ids("c"));
            assertThat(p.rejected()).isEqualTo(ids("r"));
            TokenizedData<TokenizedPair> none = tokenizer(100, 100, 1, TruncationPolicy.TRUNCATE).tokenizePairs(pairs);
            assertThat(none.examples()).isEmpty();
            assertThat(none.dropped()).containsEntry(DropReason.CANNOT_FIT, 1L);
            assertThat(none.droppedIds()).containsExactly("a");
        }

        @Test
        @DisplayName("never leaves a response empty, whatever the limits")
        void neverEmpty() {
            for (int maxLength = 2; maxLength < 12; maxLength++) {
                for (int maxResponse = 1; maxResponse < 4; maxResponse++) {
                    TokenizedData<TokenizedPair> d = tokenizer(5, maxResponse, maxLength, TruncationPolicy.TRUNCATE)
                            .tokenizePairs(List.of(pair("a", numbered("p", 7), numbered("c", 6), numbered("r", 2))));
                    TokenizedPair p = d.examples().get(0);
                    assertThat(p.chosen().length()).isBetween(1, maxResponse);
                    assertThat(p.rejected().length()).isBetween(1, maxResponse);
                    assertThat(p.prompt().length()).isBetween(1, 5);
                    assertThat(p.length()).isLessThanOrEqualTo(maxLength);
                }
            }
        }
    }

    @Nested
    @DisplayName("under drop")
    class Drop {

        @Test
        @DisplayName("rows over any limit are dropped, counted by limit, with up to five example ids")
        void drops() {
            List<PairedExample> pairs = List.of(
                    pair("fits", "p", "c", "r"),
                    pair("long-prompt", numbered("p", 5), "c", "r"),
                    pair("long-response", "p", numbered("c", 5), "r"),
                    pair("long-total", "p q", "c d", "r"));
            TokenizedData<TokenizedPair> d = tokenizer(4, 4, 4, TruncationPolicy.DROP).tokenizePairs(pairs);
            assertThat(d.examples()).extracting(TokenizedPair::id).containsExactly("fits");
            assertThat(d.dropped()).containsEntry(DropReason.OVER_MAX_PROMPT_LENGTH, 1L)
                    .containsEntry(DropReason.OVER_MAX_RESPONSE_LENGTH, 1L).containsEntry(DropReason.OVER_MAX_LENGTH, 1L);
            assertThat(d.droppedIds()).containsExactly("long-prompt", "long-response", "long-total");
            assertThat(d.summary()).contains("3 dropped (prompt over max_prompt_length 1, response over max_response_length 1, "
                    + "over max_length 1: long-prompt, long-response, long-total)");
        }

        @Test
        @DisplayName("keeps at most five dropped ids and says they are examples")
        void fiveIds() {
            List<PairedExample> pairs = java.util.stream.IntStream.range(0, 8)
                    .mapToObj(i -> pair("x" + i, numbered("p", 9), "c", "r")).toList();
            TokenizedData<TokenizedPair> d = tokenizer(4, 4, 100, TruncationPolicy.DROP).tokenizePairs(pairs);
            assertThat(d.droppedTotal()).isEqualTo(8);
            assertThat(d.droppedIds()).containsExactly("x0", "x1", "x2", "x3", "x4");
            assertThat(d.summary()).contains("; e.g. x0, x1, x2, x3, x4)");
        }
    }

    @Test
    @DisplayName("a prompt with no token is an error under on_bad_row: error and a counted drop under skip")
    void emptyPrompt() {
        List<PairedExample> pairs = List.of(pair("blank", "   ", "c", "r"), pair("ok", "p", "c", "r"));
        assertThatThrownBy(() -> tokenizer(10, 10, 10, TruncationPolicy.TRUNCATE).tokenizePairs(pairs))
                .isInstanceOf(DpoException.class)
                .hasMessageStartingWith("t.jsonl:1: the prompt \"   \" encodes to no token");
        TokenizedData<TokenizedPair> d = new ExampleTokenizer(words, null, TruncationSettings.unlimited(), BadRowPolicy.SKIP)
                .tokenizePairs(pairs);
        assertThat(d.examples()).extracting(TokenizedPair::id).containsExactly("ok");
        assertThat(d.dropped()).containsEntry(DropReason.EMPTY_PROMPT, 1L);
    }

    @Nested
    @DisplayName("conversations")
    class Conversations {

        private final ChatTemplate chatMl = new ChatTemplate(ChatTemplateTest.CHATML, null, "<|im_end|>");

        private PairedExample chat(String prompt, String chosen, String rejected) {
            return new PairedExample("c", "chat.jsonl:4", Content.conversation(List.of(new Message("user", prompt))),
                    Content.conversation(List.of(new Message("assistant", chosen))),
                    Content.conversation(List.of(new Message("assistant", rejected))));
        }

        @Test
        @DisplayName("are rendered with the chat template before tokenisation: the prompt with the generation prompt, the response as the rest")
        void rendered() {
            TokenizedPair p = new ExampleTokenizer(words, chatMl, TruncationSettings.unlimited(), BadRowPolicy.ERROR)
                    .tokenizePairs(List.of(chat("Wie spät ist es?", "Zwölf Uhr.", "Keine Ahnung 🤷"))).examples().get(0);
            assertThat(p.prompt()).isEqualTo(ids("<|im_start|>user\nWie spät ist es?<|im_end|>\n<|im_start|>assistant\n"));
            assertThat(p.chosen()).isEqualTo(ids("Zwölf Uhr.<|im_end|>\n").append(WordEncoder.EOS));
            assertThat(p.rejected()).isEqualTo(ids("Keine Ahnung 🤷<|im_end|>\n").append(WordEncoder.EOS));
        }

        @Test
        @DisplayName("need a chat template: without one the error names the row and says why")
        void noTemplate() {
            assertThatThrownBy(() -> new ExampleTokenizer(words, null, TruncationSettings.unlimited(), BadRowPolicy.ERROR)
                    .tokenizePairs(List.of(chat("a", "b", "c"))))
                    .isInstanceOf(DpoException.class)
                    .hasMessageStartingWith("chat.jsonl:4: this row is a conversation")
                    .hasMessageContaining("the model has no chat template");
        }

        @Test
        @DisplayName("that the template rejects are counted drops under skip, and errors naming the row under error")
        void rejectedByTemplate() {
            ChatTemplate llama = new ChatTemplate(ChatTemplateTest.LLAMA2, "<s>", "</s>");
            PairedExample outOfTurn = new PairedExample("bad", "chat.jsonl:9",
                    Content.conversation(List.of(new Message("assistant", "I start"))),
                    Content.conversation(List.of(new Message("assistant", "b"))),
                    Content.conversation(List.of(new Message("assistant", "c"))));
            TokenizedData<TokenizedPair> d = new ExampleTokenizer(words, llama, TruncationSettings.unlimited(), BadRowPolicy.SKIP)
                    .tokenizePairs(List.of(outOfTurn));
            assertThat(d.dropped()).containsEntry(DropReason.REJECTED_BY_TEMPLATE, 1L);
            assertThatThrownBy(() -> new ExampleTokenizer(words, llama, TruncationSettings.unlimited(), BadRowPolicy.ERROR)
                    .tokenizePairs(List.of(outOfTurn)))
                    .hasMessageStartingWith("chat.jsonl:9: the chat template rejected the conversation: Conversation roles must alternate");
        }
    }

    @Test
    @DisplayName("unpaired examples get the same treatment: EOS appended, limits applied, label kept")
    void unpaired() {
        UnpairedExample e = new UnpairedExample("u", "k.jsonl:1", Content.text(numbered("p", 4)), Content.text("fine answer"), false);
        TokenizedUnpaired t = tokenizer(2, 100, 100, TruncationPolicy.TRUNCATE).tokenizeUnpaired(List.of(e)).examples().get(0);
        assertThat(t.prompt()).isEqualTo(ids("p2 p3"));
        assertThat(t.completion()).isEqualTo(ids("fine answer").append(WordEncoder.EOS));
        assertThat(t.desirable()).isFalse();
    }

    @Test
    @DisplayName("limits below 1 are configuration errors naming the setting")
    void settings() {
        assertThatThrownBy(() -> new TruncationSettings(0, 10, 10, TruncationPolicy.TRUNCATE))
                .isInstanceOf(DpoException.class).hasMessage("max_prompt_length must be at least 1, got 0");
        assertThat(TruncationSettings.defaults().describe())
                .isEqualTo("max_prompt_length=512, max_response_length=none, max_length=1024, truncation=truncate");
    }

    @Nested
    @DisplayName("the special-token rule and text checks")
    class SpecialTokensAndText {

        /** Words, with "</s>" as the EOS id, so that a template can write the EOS itself. */
        private final TokenEncoder withEos = new TokenEncoder() {
            @Override
            public int[] encode(String text) {
                return java.util.Arrays.stream(text.trim().split("\\s+")).filter(w -> !w.isEmpty())
                        .mapToInt(w -> w.equals("</s>") ? WordEncoder.EOS : words.id(w)).toArray();
            }

            @Override
            public int eosTokenId() {
                return WordEncoder.EOS;
            }

            @Override
            public int vocabularySize() {
                return 1_000_000;
            }
        };

        @Test
        @DisplayName("a response that already ends with EOS (the template wrote it) gets no second one; others get one")
        void eosNotDoubled() {
            ChatTemplate mistral = new ChatTemplate("{{ bos_token }}{% for m in messages %}{% if m.role == 'user' %}[INST] "
                    + "{{ m.content }} [/INST]{% else %} {{ m.content }} {{ eos_token }}{% endif %}{% endfor %}", "<s>", "</s>");
            PairedExample chat = new PairedExample("c", "chat.jsonl:1", Content.conversation(List.of(new Message("user", "hi"))),
                    Content.conversation(List.of(new Message("assistant", "hello"))),
                    Content.conversation(List.of(new Message("assistant", "go away"))));
            TokenizedPair p = new ExampleTokenizer(withEos, mistral, TruncationSettings.unlimited(), BadRowPolicy.ERROR)
                    .tokenizePairs(List.of(chat)).examples().get(0);
            assertThat(p.chosen().toArray()).containsExactly(words.id("hello"), WordEncoder.EOS);
            assertThat(p.rejected().toArray()).containsExactly(words.id("go"), words.id("away"), WordEncoder.EOS);
            TokenizedPair plain = new ExampleTokenizer(withEos, null, TruncationSettings.unlimited(), BadRowPolicy.ERROR)
                    .tokenizePairs(List.of(pair("p", "a b", "c", "d"))).examples().get(0);
            assertThat(plain.chosen().toArray()).containsExactly(words.id("c"), WordEncoder.EOS);
        }

        @Test
        @DisplayName("plain-text prompts get the model's BOS only when asked, never twice, and conversations never")
        void plainTextBos() {
            ExampleTokenizer t = new ExampleTokenizer(words, chatMlTemplate(), TruncationSettings.unlimited(),
                    BadRowPolicy.ERROR);
            int bos = words.id("<s>");
            assertThat(t.tokenizePairs(List.of(pair("p", "a b", "c", "d"))).examples().get(0).prompt().get(0))
                    .isEqualTo(words.id("a"));
            ExampleTokenizer withBos = t.withPlainTextBos(bos);
            assertThat(withBos.tokenizePairs(List.of(pair("p", "a b", "c", "d"))).examples().get(0).prompt().toArray())
                    .containsExactly(bos, words.id("a"), words.id("b"));
            assertThat(withBos.tokenizePairs(List.of(pair("p", "<s> a", "c", "d"))).examples().get(0).prompt().toArray())
                    .containsExactly(bos, words.id("a"));
            PairedExample chat = new PairedExample("c", "chat.jsonl:1", Content.conversation(List.of(new Message("user", "a"))),
                    Content.conversation(List.of(new Message("assistant", "b"))),
                    Content.conversation(List.of(new Message("assistant", "c"))));
            assertThat(withBos.tokenizePairs(List.of(chat)).examples().get(0).prompt().get(0)).isNotEqualTo(bos);
        }

        private ChatTemplate chatMlTemplate() {
            return new ChatTemplate(ChatTemplateTest.CHATML, null, "<|im_end|>");
        }

        @Test
        @DisplayName("a lone surrogate is the row's fault, naming the field (never replaced): an error, or a counted drop under skip")
        void loneSurrogate() {
            PairedExample bad = pair("bad", "x y", "ok \ud800 no", "fine");
            assertThatThrownBy(() -> new ExampleTokenizer(words, null, TruncationSettings.unlimited(), BadRowPolicy.ERROR)
                    .tokenizePairs(List.of(bad)))
                    .isInstanceOf(DpoException.class)
                    .hasMessage("t.jsonl:1: field 'chosen': a lone surrogate U+D800 at character 3 (an escape such as "
                            + "\\ud800 without its pair is not Unicode text; no tokenizer can encode it) (set on_bad_row: "
                            + "skip to drop such rows)");
            TokenizedData<TokenizedPair> d = new ExampleTokenizer(words, null, TruncationSettings.unlimited(),
                    BadRowPolicy.SKIP).tokenizePairs(List.of(bad, pair("ok", "a", "😀 b", "c")));
            assertThat(d.dropped()).containsEntry(DropReason.LONE_SURROGATE, 1L);
            assertThat(d.examples()).extracting(TokenizedPair::id).containsExactly("ok");
        }

        @Test
        @DisplayName("counts the examples whose response tokenises differently when joined to the prompt, and traces every row")
        void joinedDifferently() {
            List<RowTrace> traces = new java.util.ArrayList<>();
            TokenizedData<TokenizedPair> d = new ExampleTokenizer(words, null, TruncationSettings.unlimited(),
                    BadRowPolicy.ERROR).withTrace(traces::add)
                    .tokenizePairs(List.of(pair("glued", "a b", "c", " d"), pair("apart", "a b", " c", " d")));
            assertThat(d.joinedDifferently()).isEqualTo(1);
            assertThat(d.summary()).contains("1 example tokenises differently when prompt and response are joined");
            assertThat(traces).hasSize(2);
            assertThat(traces.get(0).joinedDiffers()).containsExactly(true, false);
            assertThat(traces.get(1).joinedDiffers()).containsExactly(false, false);
            assertThat(traces.get(0).promptText()).isEqualTo("a b");
            assertThat(traces.get(0).responseTexts()).containsExactly("c", " d");
        }
    }
}
