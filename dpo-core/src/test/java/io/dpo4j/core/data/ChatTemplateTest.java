package io.dpo4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ChatTemplate: Hugging Face chat templates rendered as transformers renders them")
class ChatTemplateTest {

    /** ChatML, as Qwen models use it. */
    static final String CHATML = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
            + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

    /** Llama 2's template, with its bos/eos tokens and its raise_exception for roles out of turn. */
    static final String LLAMA2 = "{{ bos_token }}{% for message in messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] + ' ' + eos_token }}{% endif %}{% endfor %}";

    @TempDir
    Path dir;

    private static List<Message> user(String text) {
        return List.of(new Message("user", text));
    }

    private static List<Message> assistant(String text) {
        return List.of(new Message("assistant", text));
    }

    @Test
    @DisplayName("renders a ChatML prompt with the generation prompt, and the response as the rest of prompt + response, Unicode intact")
    void chatMl() {
        ChatTemplate t = new ChatTemplate(CHATML, null, "<|im_end|>");
        assertThat(t.renderPrompt(user("Grüß dich, 世界 👋"))).isEqualTo("<|im_start|>user\nGrüß dich, 世界 👋<|im_end|>\n<|im_start|>assistant\n");
        assertThat(t.renderResponse(user("Grüß dich, 世界 👋"), assistant("Salut ✨"))).isEqualTo("Salut ✨<|im_end|>\n");
    }

    @Test
    @DisplayName("passes bos_token and eos_token to the template")
    void specialTokens() {
        ChatTemplate t = new ChatTemplate(LLAMA2, "<s>", "</s>");
        assertThat(t.renderPrompt(user("Hi"))).isEqualTo("<s>[INST] Hi [/INST]");
        assertThat(t.renderResponse(user("Hi"), assistant("Hello"))).isEqualTo(" Hello </s>");
    }

    @Test
    @DisplayName("a conversation the template rejects with raise_exception is reported with the template's words, as the row's fault")
    void raiseException() {
        ChatTemplate t = new ChatTemplate(LLAMA2, "<s>", "</s>");
        assertThatThrownBy(() -> t.renderPrompt(assistant("out of turn"))).isInstanceOf(ChatTemplateException.class)
                .hasMessage("the chat template rejected the conversation: Conversation roles must alternate user/assistant/user/assistant/...")
                .satisfies(e -> assertThat(((ChatTemplateException) e).rejectedByTemplate()).isTrue());
    }

    @Test
    @DisplayName("a template that does not render the prompt as a prefix of prompt + response is a clear error")
    void notAPrefix() {
        // Renders the generation prompt differently from the way the assistant turn starts.
        String odd = "{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{% endfor %}{% if add_generation_prompt %}[bot]{% endif %}";
        ChatTemplate t = new ChatTemplate(odd, null, null);
        assertThatThrownBy(() -> t.renderResponse(user("Hi"), assistant("Yo"))).isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("does not render the prompt as a prefix of prompt + response")
                .hasMessageContaining("differ at character 9")
                .satisfies(e -> assertThat(((ChatTemplateException) e).rejectedByTemplate()).isFalse());
    }

    @Test
    @DisplayName("a broken template fails when it is read, naming the template and its line")
    void syntaxError() {
        assertThatThrownBy(() -> new ChatTemplate("model/tokenizer_config.json (chat_template)",
                "{% for m in messages %}\n{{ m['content'] }}", java.util.Map.of(), io.dpo4j.core.jinja.RenderLimits.DEFAULT))
                .isInstanceOf(DpoException.class)
                .hasMessage("the chat template model/tokenizer_config.json (chat_template):2: the template ends before "
                        + "'{% else %}' or '{% endfor %}'");
    }

    private static ChatTemplate named(String source, io.dpo4j.core.jinja.RenderLimits limits) {
        return new ChatTemplate("model/chat_template.jinja", source, java.util.Map.of(), limits);
    }

    @Test
    @DisplayName("an unknown filter is an error when the template is read, naming the template (not empty output)")
    void unknownFilter() {
        assertThatThrownBy(() -> named("{{ messages[0].content | frobnicate }}", io.dpo4j.core.jinja.RenderLimits.DEFAULT))
                .isInstanceOf(DpoException.class)
                .hasMessage("the chat template model/chat_template.jinja:1: unknown filter 'frobnicate'");
    }

    @Test
    @DisplayName("an unknown function is an error naming the template and line (not empty output)")
    void unknownFunction() {
        ChatTemplate t = named("{% for m in messages %}\n{{ frobnicate(m.content) }}{% endfor %}",
                io.dpo4j.core.jinja.RenderLimits.DEFAULT);
        assertThatThrownBy(() -> t.renderPrompt(user("x"))).isInstanceOf(ChatTemplateException.class)
                .hasMessage("the chat template model/chat_template.jinja:2: 'frobnicate' is undefined: there is no function "
                        + "'frobnicate'")
                .satisfies(e -> assertThat(((ChatTemplateException) e).rejectedByTemplate()).isFalse());
    }

    @Test
    @DisplayName("a macro that recurses without end is an error naming the template and the macro")
    void recursion() {
        ChatTemplate t = named("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", io.dpo4j.core.jinja.RenderLimits.DEFAULT);
        assertThatThrownBy(() -> t.renderPrompt(user("x"))).isInstanceOf(ChatTemplateException.class)
                .hasMessageStartingWith("the chat template model/chat_template.jinja:1: the template recurses more than 100 "
                        + "calls deep (macro 'f')");
    }

    @Test
    @DisplayName("three nested range(1000) loops stop at the loop limit, naming the template, instead of hanging")
    void loopLimit() {
        ChatTemplate t = named("{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}x{% endfor %}"
                + "{% endfor %}{% endfor %}", io.dpo4j.core.jinja.RenderLimits.DEFAULT);
        assertThatThrownBy(() -> t.renderPrompt(user("x"))).isInstanceOf(ChatTemplateException.class)
                .hasMessage("the chat template model/chat_template.jinja:1: the loops run more than 1000000 iterations "
                        + "(the loop limit)");
    }

    @Test
    @DisplayName("a template that doubles a string 40 times stops at the output size limit, naming the template")
    void doublingLimit() {
        ChatTemplate t = named("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
                + "{% endfor %}{{ ns.s }}", io.dpo4j.core.jinja.RenderLimits.DEFAULT);
        assertThatThrownBy(() -> t.renderPrompt(user("x"))).isInstanceOf(ChatTemplateException.class)
                .hasMessage("the chat template model/chat_template.jinja:1: the template builds a text of more than "
                        + "33554432 characters (the output size limit)");
        ChatTemplate multiply = named("{{ 'x' * 100000000000 }}", io.dpo4j.core.jinja.RenderLimits.DEFAULT);
        assertThatThrownBy(() -> multiply.renderPrompt(user("x"))).hasMessageContaining("(the output size limit)");
    }

    @Test
    @DisplayName("rendering past the time limit stops with the template named")
    void timeLimit() {
        ChatTemplate t = named("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
                io.dpo4j.core.jinja.RenderLimits.DEFAULT.withTimeout(java.time.Duration.ofMillis(50))
                        .withMaxLoopIterations(Long.MAX_VALUE));
        assertThatThrownBy(() -> t.renderPrompt(user("x"))).isInstanceOf(ChatTemplateException.class)
                .hasMessage("the chat template model/chat_template.jinja:1: rendering takes longer than 50 ms "
                        + "(the render time limit)");
    }

    @Test
    @DisplayName("range() over 100,000 items is refused as jinja2's sandbox refuses it")
    void rangeLimit() {
        ChatTemplate t = named("{% for a in range(100001) %}{% endfor %}", io.dpo4j.core.jinja.RenderLimits.DEFAULT);
        assertThatThrownBy(() -> t.renderPrompt(user("x"))).hasMessageContaining("(the range limit)");
    }

    @Test
    @DisplayName("namespace() with keyword arguments (Qwen3's template) works")
    void namespaceKeywords() {
        ChatTemplate t = named("{% set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}"
                + "{{ ns.multi_step_tool }} {{ ns.last_query_index }}", io.dpo4j.core.jinja.RenderLimits.DEFAULT);
        assertThat(t.renderPrompt(user("x"))).isEqualTo("True 0");
    }

    @Test
    @DisplayName("reads the template and special tokens from tokenizer_config.json, AddedToken objects and named templates included")
    void fromTokenizerConfig() {
        Path config = DataFiles.write(dir, "tokenizer_config.json", "{\"bos_token\": {\"content\": \"<s>\", \"lstrip\": false}, "
                + "\"eos_token\": \"</s>\", \"chat_template\": [{\"name\": \"tool_use\", \"template\": \"x\"}, "
                + "{\"name\": \"default\", \"template\": " + com.fasterxml.jackson.databind.node.TextNode.valueOf(LLAMA2) + "}]}");
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(config).orElseThrow();
        assertThat(t.bosToken()).contains("<s>");
        assertThat(t.eosToken()).contains("</s>");
        assertThat(t.template()).isEqualTo(LLAMA2);
    }

    @Test
    @DisplayName("reads chat_template.jinja beside the config (first, as transformers does), and is empty when the model has no template")
    void fallbackAndAbsent() {
        Path config = DataFiles.write(dir, "tokenizer_config.json", "{\"eos_token\": \"<|im_end|>\"}");
        assertThat(ChatTemplate.fromTokenizerConfig(config)).isEmpty();
        DataFiles.write(dir, "chat_template.jinja", CHATML);
        assertThat(ChatTemplate.fromTokenizerConfig(config)).get().extracting(ChatTemplate::template).isEqualTo(CHATML);
    }
}
