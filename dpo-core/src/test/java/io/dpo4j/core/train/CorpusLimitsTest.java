package io.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("sft.data and evaluation.prompts: rows and texts within the data limits' defaults")
class CorpusLimitsTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("a supervised text over 1,000,000 characters or a row over 16 MiB is refused naming the line")
    void corpus() throws Exception {
        Path ok = Files.writeString(dir.resolve("ok.jsonl"), "{\"text\": \"hello\"}\n");
        assertThat(TextCorpus.read(ok)).containsExactly("hello");
        Path text = Files.writeString(dir.resolve("t.jsonl"), "{\"text\": \"a\"}\n{\"text\": \"" + "w".repeat(1_000_001)
                + "\"}\n");
        assertThatThrownBy(() -> TextCorpus.read(text)).isInstanceOf(DpoException.class)
                .hasMessage(text + ":2: field 'text': has 1000001 characters, over the limit of 1000000 (as "
                        + "data.max_field_chars' default)");
        Path row = Files.writeString(dir.resolve("r.jsonl"), "{\"text\": \"" + "w".repeat(17 << 20) + "\"}\n");
        assertThatThrownBy(() -> TextCorpus.read(row)).hasMessageContaining(row + ":1: the row has 17825804 bytes, over "
                + "the limit of 16777216");
    }

    @Test
    @DisplayName("a device as the corpus is refused at once")
    void device() {
        if (Files.exists(Path.of("/dev/zero"))) {
            assertThatThrownBy(() -> TextCorpus.read(Path.of("/dev/zero"))).hasMessageContaining("not a regular file");
        }
    }

    @Test
    @DisplayName("an evaluation prompt over 1,000,000 characters is refused naming the line")
    void prompts() throws Exception {
        Path file = Files.writeString(dir.resolve("p.jsonl"), "{\"prompt\": \"" + "q".repeat(1_000_001) + "\"}\n");
        assertThatThrownBy(() -> io.dpo4j.train.EvaluationSettings.promptsFrom(file)).hasMessageContaining(file + ":1: field 'prompt': has "
                + "1000001 characters");
    }
}
