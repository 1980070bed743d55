package io.dpo4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data.max_row_bytes and data.max_field_chars: a row or text over its limit is a bad row naming itself. */
@DisplayName("row and field limits: streamed past, named, counted under on_bad_row: skip")
class RowLimitsTest {

    @TempDir
    Path dir;

    static final String GOOD = "{\"prompt\": \"p\", \"chosen\": \"c\", \"rejected\": \"r\"}";

    static String row(String chosen) {
        return "{\"prompt\": \"p\", \"chosen\": \"" + chosen + "\", \"rejected\": \"r\"}";
    }

    LoadResult load(String name, String content, LoadOptions options) throws Exception {
        return PreferenceDataLoader.load(Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8), options);
    }

    @Test
    @DisplayName("JSON Lines: a row over max_row_bytes stops loading naming line and limit, or is skipped and counted")
    void rowLimitJsonLines() throws Exception {
        String content = GOOD + "\n" + row("x".repeat(500)) + "\n" + GOOD + "\n";
        LoadOptions small = LoadOptions.defaults().withLimits(200, 1000);
        assertThatThrownBy(() -> load("a.jsonl", content, small)).isInstanceOf(DpoException.class)
                .hasMessageContaining("a.jsonl:2: the row has 546 bytes, over the limit data.max_row_bytes = 200");
        LoadResult skipped = load("b.jsonl", content, small.withOnBadRow(BadRowPolicy.SKIP));
        assertThat(skipped.examples()).hasSize(2);
        assertThat(skipped.skippedByReason()).containsEntry(BadRowReason.ROW_TOO_LONG, 1L);
        assertThat(load("c.jsonl", content, LoadOptions.defaults()).examples()).hasSize(3);
    }

    @Test
    @DisplayName("a row exactly at the limit is kept; one byte more is not")
    void boundary() throws Exception {
        int length = GOOD.getBytes(StandardCharsets.UTF_8).length;
        assertThat(load("d.jsonl", GOOD + "\n", LoadOptions.defaults().withLimits(length, 100)).examples()).hasSize(1);
        assertThatThrownBy(() -> load("e.jsonl", GOOD + "\n", LoadOptions.defaults().withLimits(length - 1, 100)))
                .hasMessageContaining("over the limit data.max_row_bytes");
    }

    @Test
    @DisplayName("a JSON array: an element over the limit stops loading naming its line; smaller elements are exact")
    void rowLimitArray() throws Exception {
        String content = "[" + GOOD + ",\n" + row("x".repeat(5000)) + "]";
        assertThatThrownBy(() -> load("a.json", content, LoadOptions.defaults().withLimits(1000, 100_000)))
                .hasMessageContaining("a.json:2: element 1 of the JSON array is longer than the limit "
                        + "data.max_row_bytes = 1000");
        LoadResult r = load("b.json", content, LoadOptions.defaults());
        assertThat(((Content.Text) ((PairedExample) r.examples().get(1)).chosen()).text()).hasSize(5000);
    }

    @Test
    @DisplayName("a text over max_field_chars, also inside a conversation, names the field")
    void fieldLimit() throws Exception {
        assertThatThrownBy(() -> load("f.jsonl", row("y".repeat(101)) + "\n", LoadOptions.defaults().withLimits(1 << 20,
                100))).hasMessageContaining("f.jsonl:1: field 'chosen': has 101 characters, over the limit "
                        + "data.max_field_chars = 100");
        String chat = "{\"chosen\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \""
                + "z".repeat(200) + "\"}], \"rejected\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": "
                + "\"assistant\", \"content\": \"no\"}]}";
        assertThatThrownBy(() -> load("g.jsonl", chat + "\n", LoadOptions.defaults().withLimits(1 << 20, 100)))
                .hasMessageContaining("field 'chosen[1].content': has 200 characters");
    }

    @Test
    @DisplayName("the limits themselves are checked")
    void badLimits() {
        assertThatThrownBy(() -> LoadOptions.defaults().withLimits(0, 1)).hasMessageContaining("data.max_row_bytes = 0");
        assertThatThrownBy(() -> LoadOptions.defaults().withLimits(1, 0)).hasMessageContaining("data.max_field_chars = 0");
    }

    @Test
    @DisplayName("LineReader holds at most the limit of a long line and keeps counting it")
    void lineReader() throws Exception {
        byte[] bytes = ("short\n" + "L".repeat(100_000) + "\nend").getBytes(StandardCharsets.UTF_8);
        LineReader r = new LineReader(new java.io.ByteArrayInputStream(bytes), 1000);
        assertThat(r.next()).isTrue();
        assertThat(new String(r.bytes(), 0, r.length(), StandardCharsets.UTF_8)).isEqualTo("short");
        assertThat(r.next()).isTrue();
        assertThat(r.overLimit()).isTrue();
        assertThat(r.totalLength()).isEqualTo(100_000);
        assertThat(r.bytes().length).isLessThanOrEqualTo(1024);
        assertThat(r.next()).isTrue();
        assertThat(new String(r.bytes(), 0, r.length(), StandardCharsets.UTF_8)).isEqualTo("end");
        assertThat(r.next()).isFalse();
    }
}
