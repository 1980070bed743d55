package io.dpo4j.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Preference rows from JSONL")
class PreferenceRowReaderTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("rows keep their line numbers; blank lines and extra fields are ignored")
    void readsRows() throws IOException {
        Path file = dir.resolve("d.jsonl");
        Files.writeString(file, "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\", \"id\": 7}\n\n"
                + "{\"prompt\": \"d\", \"chosen\": \"e\", \"rejected\": \"f\"}\n");
        List<PreferenceRow> rows = PreferenceRowReader.read(file);
        assertThat(rows).containsExactly(new PreferenceRow(1, "a", "b", "c"), new PreferenceRow(3, "d", "e", "f"));
    }

    @Test
    @DisplayName("a row over 16 Mi characters is read past and refused naming its line, not held whole")
    void longRow() throws IOException {
        Path file = dir.resolve("long.jsonl");
        try (var out = Files.newBufferedWriter(file)) {
            out.write("{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\r\n{\"prompt\": \"");
            char[] chunk = new char[1 << 20];
            java.util.Arrays.fill(chunk, 'x');
            for (int i = 0; i < 20; i++) {
                out.write(chunk);
            }
            out.write("\"}\n");
        }
        assertThatThrownBy(() -> PreferenceRowReader.read(file)).isInstanceOf(DpoException.class)
                .hasMessage(file + ":2: the row is longer than 16777216 characters (the limit of one row); fix the row");
    }

    @Test
    @DisplayName("a device or a folder is refused at once (it would never end)")
    void notRegular() {
        assertThatThrownBy(() -> PreferenceRowReader.read(dir)).hasMessageContaining("not a regular file");
        if (Files.exists(Path.of("/dev/zero"))) {
            assertThatThrownBy(() -> PreferenceRowReader.read(Path.of("/dev/zero"))).hasMessageContaining("not a regular file");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "invalid JSON|{\"prompt\": \"a\", \"chosen\": |:2: invalid JSON",
        "not an object|[1, 2]|:2: expected a JSON object",
        "missing field|{\"prompt\": \"a\", \"rejected\": \"c\"}|:2: field chosen is missing",
        "wrong type|{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": 3}|:2: field rejected must be a string, found number",
        "null field|{\"prompt\": null, \"chosen\": \"b\", \"rejected\": \"c\"}|:2: field prompt must be a string, found null"})
    void badRowsNameFileLineAndField(String description, String line, String message) throws IOException {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n" + line + "\n");
        assertThatThrownBy(() -> PreferenceRowReader.read(file)).isInstanceOf(DpoException.class)
                .hasMessageStartingWith(file.toString()).hasMessageContaining(message);
    }

    @Test
    @DisplayName("a missing or empty file is refused")
    void missingOrEmpty() throws IOException {
        assertThatThrownBy(() -> PreferenceRowReader.read(dir.resolve("none.jsonl"))).isInstanceOf(DpoException.class)
                .hasMessageContaining("not found");
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "\n");
        assertThatThrownBy(() -> PreferenceRowReader.read(empty)).isInstanceOf(DpoException.class)
                .hasMessageContaining("no rows");
    }
}
