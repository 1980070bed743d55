package io.dpo4j.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import io.dpo4j.core.model.ModelFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Tokenizers")
class TextTokenizerTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("the fixture's tokenizer gives the vocabulary's ids and adds no special tokens")
    void encodesWithoutSpecialTokens() {
        try (TextTokenizer tokenizer = TextTokenizer.load(ModelFixtures.tinyLlama())) {
            assertThat(tokenizer.encode("long ever")).containsExactly(48, 43);
            assertThat(tokenizer.encode("really film ok")).containsExactly(12, 6, 46);
            assertThat(tokenizer.encode("zebra")).as("unknown word").containsExactly(2);
            assertThat(tokenizer.encode("")).isEmpty();
            assertThat(tokenizer.decode(new long[] {12, 6, 46, 1}, true)).isEqualTo("really film ok");
        }
    }

    @Test
    @DisplayName("long texts are not truncated")
    void noTruncation() {
        try (TextTokenizer tokenizer = TextTokenizer.load(ModelFixtures.tinyLlama())) {
            assertThat(tokenizer.encode("good ".repeat(2000))).hasSize(2000);
        }
    }

    @Test
    @DisplayName("special tokens of tokenizer_config.json resolve to ids")
    void specialTokens() {
        try (TextTokenizer tokenizer = TextTokenizer.load(ModelFixtures.tinyLlama())) {
            assertThat(tokenizer.eosTokenId()).hasValue(1);
            assertThat(tokenizer.padTokenId()).hasValue(0);
            assertThat(tokenizer.bosTokenId()).isEmpty();
            assertThat(tokenizer.settings().unkToken()).contains("<unk>");
            assertThat(tokenizer.settings().modelMaxLength()).contains(128L);
            assertThat(tokenizer.chatTemplate()).isEmpty();
            assertThat(tokenizer.tokenId("brilliant")).hasValue(56);
            assertThat(tokenizer.tokenId("zebra")).as("an unknown word, not the unknown token's id").isEmpty();
        }
    }

    @Test
    @DisplayName("AddedToken objects and a chat template (string, named list, or chat_template.jinja) are read")
    void addedTokenObjectsAndTemplates() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": {\"content\": \"</s>\", "
                + "\"lstrip\": false}, \"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"}, "
                + "{\"name\": \"default\", \"template\": \"{{ messages }}\"}]}");
        TokenizerSettings settings = TokenizerSettings.read(dir);
        assertThat(settings.eosToken()).contains("</s>");
        assertThat(settings.chatTemplate()).contains("{{ messages }}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{% for m in messages %}\"}");
        assertThat(TokenizerSettings.read(dir).chatTemplate()).contains("{% for m in messages %}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        Files.writeString(dir.resolve("chat_template.jinja"), "jinja file");
        assertThat(TokenizerSettings.read(dir).chatTemplate()).contains("jinja file");
    }

    @Test
    @DisplayName("a missing tokenizer.json or an invalid tokenizer_config.json is named in the error")
    void errors() throws IOException {
        assertThatThrownBy(() -> TextTokenizer.load(dir)).isInstanceOf(DpoException.class)
                .hasMessageContaining("tokenizer.json").hasMessageContaining("not found");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": 5}");
        assertThatThrownBy(() -> TokenizerSettings.read(dir)).isInstanceOf(DpoException.class)
                .hasMessageContaining("tokenizer_config.json").hasMessageContaining("eos_token = 5");
    }
}
