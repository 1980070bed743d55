package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("StreamedLines: dpo score's output is visible as it goes and complete only at the end")
class StreamedLinesTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("flushed lines are in FILE.partial while the run goes on (and after a crash); the target appears whole at the end")
    void partialThenAtomic() throws IOException {
        Path target = dir.resolve("scores.jsonl");
        Files.writeString(target, "an older result\n");
        try (StreamedLines lines = StreamedLines.open(target, new PrintWriter(new StringWriter()))) {
            lines.line("{\"row\": 1}");
            lines.flush();
            assertThat(Files.readString(dir.resolve("scores.jsonl.partial"))).isEqualTo("{\"row\": 1}\n");
            assertThat(Files.readString(target)).as("untouched until the end").isEqualTo("an older result\n");
            lines.line("{\"row\": 2}");
            lines.commit();
        }
        assertThat(Files.readString(target)).isEqualTo("{\"row\": 1}\n{\"row\": 2}\n");
        assertThat(dir.resolve("scores.jsonl.partial")).doesNotExist();
    }

    @Test
    @DisplayName("a run that fails keeps what it flushed in FILE.partial and leaves the target alone")
    void failureKeepsPartial() throws IOException {
        Path target = dir.resolve("scores.jsonl");
        try (StreamedLines lines = StreamedLines.open(target, new PrintWriter(new StringWriter()))) {
            lines.line("{\"row\": 1}");
            lines.flush();
        }
        assertThat(target).doesNotExist();
        assertThat(Files.readString(dir.resolve("scores.jsonl.partial"))).isEqualTo("{\"row\": 1}\n");
    }

    @Test
    @DisplayName("without a file, lines go to standard output as each batch is flushed")
    void stdout() {
        StringWriter out = new StringWriter();
        try (StreamedLines lines = StreamedLines.open(null, new PrintWriter(out))) {
            lines.line("a");
            lines.flush();
            assertThat(out.toString()).isEqualTo("a\n");
            lines.commit();
        }
    }
}
