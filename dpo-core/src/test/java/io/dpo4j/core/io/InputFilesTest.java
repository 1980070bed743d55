package io.dpo4j.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("InputFiles: only regular files, never over a limit, JSON errors without the content")
class InputFilesTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("a small regular file is read; a larger one is refused naming the size and the limit")
    void sizeLimit() throws Exception {
        Path f = Files.writeString(dir.resolve("config.json"), "{\"a\": 1}");
        assertThat(InputFiles.readJson(f, 100, "config.json").get("a").asInt()).isEqualTo(1);
        assertThatThrownBy(() -> InputFiles.readJson(f, 4, "config.json")).isInstanceOf(DpoException.class)
                .hasMessage(f + ": 8 bytes, over the 4 bytes limit for config.json; is this the right file?");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    @DisplayName("a device behind a symbolic link, a folder, a missing file: each named for what it is")
    void notRegular() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("tokenizer.json"), Path.of("/dev/zero"));
        assertThatThrownBy(() -> InputFiles.readBytes(link, 1 << 20, "tokenizer.json"))
                .hasMessage(link + ": is not a regular file (a device, FIFO or socket); tokenizer.json must be an ordinary file");
        assertThatThrownBy(() -> InputFiles.readBytes(dir, 1 << 20, "config.json")).hasMessageContaining("is a folder");
        assertThatThrownBy(() -> InputFiles.readBytes(dir.resolve("none"), 1, "config.json"))
                .hasMessageContaining("file not found");
    }

    @Test
    @DisplayName("a file that is not JSON: line and column, never its content")
    void notJson() throws Exception {
        Path f = Files.writeString(dir.resolve("c.json"), "{\n  secret-token-value\n}");
        assertThatThrownBy(() -> InputFiles.readJson(f, 1000, "config.json"))
                .hasMessage(f + ": not valid JSON (line 2, column 3); config.json must be a JSON file")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
        Path empty = Files.writeString(dir.resolve("e.json"), "");
        assertThatThrownBy(() -> InputFiles.readJson(empty, 1000, "config.json")).hasMessageContaining("is empty");
    }

    @Test
    @DisplayName("a stream longer than its cap (a lying zip entry) is refused after cap + 1 bytes")
    void readAtMost() throws Exception {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };
        assertThatThrownBy(() -> InputFiles.readAtMost(endless, 1000, "services", "a services file"))
                .hasMessage("services: larger than the 1000 bytes limit for a services file; refusing to read it");
        assertThat(InputFiles.readAtMost(new ByteArrayInputStream(new byte[1000]), 1000, "s", "w")).hasSize(1000);
    }

    @Test
    @DisplayName("sizes are shown in binary units")
    void human() {
        assertThat(InputFiles.human(512)).isEqualTo("512 bytes");
        assertThat(InputFiles.human(16L << 20)).isEqualTo("16 MiB");
        assertThat(InputFiles.human(3L << 29)).isEqualTo("1.5 GiB");
    }
}
