package io.dpo4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ChatTemplate: Hugging Face chat templates rendered with jinjava")
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
    @DisplayName("a broken template fails with its line, not with a jinjava exception")
    void syntaxError() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}{{ m['content'] }}", null, null);
        assertThatThrownBy(() -> t.renderPrompt(user("x"))).isInstanceOf(DpoException.class)
                .hasMessageStartingWith("the chat template failed at its line 1");
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
    @DisplayName("falls back to chat_template.jinja beside the config, and is empty when the model has no template")
    void fallbackAndAbsent() {
        Path config = DataFiles.write(dir, "tokenizer_config.json", "{\"eos_token\": \"<|im_end|>\"}");
        assertThat(ChatTemplate.fromTokenizerConfig(config)).isEmpty();
        DataFiles.write(dir, "chat_template.jinja", CHATML);
        assertThat(ChatTemplate.fromTokenizerConfig(config)).get().extracting(ChatTemplate::template).isEqualTo(CHATML);
    }
}
