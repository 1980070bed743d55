package io.dpo4j.core.data;

import static io.dpo4j.core.data.DataFiles.lines;
import static io.dpo4j.core.data.DataFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.api.DataLayout;
import io.dpo4j.api.DatasetSummary;
import io.dpo4j.core.DpoException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("PreferenceDataLoader: rows in TRL's formats, every row accounted for")
class PreferenceDataLoaderTest {

    @TempDir
    Path dir;

    private static final LoadOptions DEFAULTS = LoadOptions.defaults();
    private static final LoadOptions SKIP = LoadOptions.defaults().withOnBadRow(BadRowPolicy.SKIP);

    private LoadResult load(String name, String content) {
        return PreferenceDataLoader.load(write(dir, name, content), DEFAULTS);
    }

    private static Content.Text text(String s) {
        return Content.text(s);
    }

    @Nested
    @DisplayName("formats and their detection")
    class Formats {

        @Test
        @DisplayName("prompt/chosen/rejected strings are paired rows, with file:line ids unless the row has an id")
        void paired() {
            LoadResult r = load("train.jsonl", lines(
                    "{\"prompt\": \"2+2?\", \"chosen\": \"4\", \"rejected\": \"5\"}",
                    "{\"id\": \"q2\", \"prompt\": \"Capital of France?\", \"chosen\": \"Paris\", \"rejected\": \"Lyon\"}",
                    "{\"id\": 17, \"prompt\": \"p\", \"chosen\": \"c\", \"rejected\": \"r\"}"));
            assertThat(r.files()).singleElement().satisfies(f -> {
                assertThat(f.format()).isEqualTo(DataFormat.PAIRED);
                assertThat(f.jsonArray()).isFalse();
            });
            assertThat(r.examples()).hasSize(3);
            PairedExample first = (PairedExample) r.examples().get(0);
            assertThat(first.id()).isEqualTo(dir.resolve("train.jsonl") + ":1");
            assertThat(first.prompt()).isEqualTo(text("2+2?"));
            assertThat(first.chosen()).isEqualTo(text("4"));
            assertThat(first.rejected()).isEqualTo(text("5"));
            assertThat(r.examples().get(1).id()).isEqualTo("q2");
            assertThat(r.examples().get(2).id()).isEqualTo("17");
        }

        @Test
        @DisplayName("chosen/rejected alone have an implicit prompt: their longest common prefix, the space before the split going to the responses")
        void implicitPromptText() {
            LoadResult r = load("implicit.jsonl", lines(
                    "{\"chosen\": \"Human: Is water wet? Assistant: Yes, it is.\", \"rejected\": \"Human: Is water wet? Assistant: No.\"}"));
            assertThat(r.files().get(0).format()).isEqualTo(DataFormat.IMPLICIT_PROMPT);
            PairedExample p = (PairedExample) r.examples().get(0);
            assertThat(p.prompt()).isEqualTo(text("Human: Is water wet? Assistant:"));
            assertThat(p.chosen()).isEqualTo(text(" Yes, it is."));
            assertThat(p.rejected()).isEqualTo(text(" No."));
        }

        @Test
        @DisplayName("an implicit prompt never splits a surrogate pair (two emoji sharing their first UTF-16 unit)")
        void implicitPromptSurrogates() {
            LoadResult r = load("emoji.jsonl", lines("{\"chosen\": \"Mood: 😀\", \"rejected\": \"Mood: 😃\"}"));
            PairedExample p = (PairedExample) r.examples().get(0);
            assertThat(p.prompt()).isEqualTo(text("Mood:"));
            assertThat(p.chosen()).isEqualTo(text(" 😀"));
            assertThat(p.rejected()).isEqualTo(text(" 😃"));
        }

        @Test
        @DisplayName("conversations without a prompt share their leading messages as the prompt")
        void implicitPromptConversation() {
            LoadResult r = load("chat.jsonl", lines("{\"chosen\": [{\"role\": \"user\", \"content\": \"Hi\"}, "
                    + "{\"role\": \"assistant\", \"content\": \"Hello!\"}], \"rejected\": [{\"role\": \"user\", \"content\": \"Hi\"}, "
                    + "{\"role\": \"assistant\", \"content\": \"Go away.\"}]}"));
            assertThat(r.files().get(0).format()).isEqualTo(DataFormat.CONVERSATIONAL);
            PairedExample p = (PairedExample) r.examples().get(0);
            assertThat(p.prompt()).isEqualTo(Content.conversation(List.of(new Message("user", "Hi"))));
            assertThat(p.chosen()).isEqualTo(Content.conversation(List.of(new Message("assistant", "Hello!"))));
            assertThat(p.rejected()).isEqualTo(Content.conversation(List.of(new Message("assistant", "Go away."))));
            assertThat(r.hasConversations()).isTrue();
        }

        @Test
        @DisplayName("conversations with a prompt are read as they are, Unicode included")
        void conversational() {
            LoadResult r = load("chat.jsonl", lines("{\"prompt\": [{\"role\": \"system\", \"content\": \"Sois bref.\"}, "
                    + "{\"role\": \"user\", \"content\": \"Où est Zürich? 🏔\"}], \"chosen\": [{\"role\": \"assistant\", \"content\": \"En Suisse.\"}], "
                    + "\"rejected\": [{\"role\": \"assistant\", \"content\": \"日本\"}]}"));
            PairedExample p = (PairedExample) r.examples().get(0);
            assertThat(((Content.Conversation) p.prompt()).messages()).extracting(Message::content)
                    .containsExactly("Sois bref.", "Où est Zürich? 🏔");
            assertThat(p.rejected()).isEqualTo(Content.conversation(List.of(new Message("assistant", "日本"))));
        }

        @Test
        @DisplayName("prompt/completion/label rows are unpaired, the label a JSON boolean")
        void unpaired() {
            LoadResult r = load("kto.jsonl", lines("{\"prompt\": \"p1\", \"completion\": \"good\", \"label\": true}",
                    "{\"prompt\": \"p2\", \"completion\": \"bad\", \"label\": false}"));
            assertThat(r.files().get(0).format()).isEqualTo(DataFormat.UNPAIRED);
            assertThat(r.examples()).extracting(e -> ((UnpairedExample) e).desirable()).containsExactly(true, false);
            assertThat(r.datasetSummary(DataLayout.UNPAIRED)).isEqualTo(new DatasetSummary(0, 1, 1));
        }

        @Test
        @DisplayName("an explicit format overrides detection: a paired file read as implicit_prompt ignores its prompt field")
        void explicitFormat() {
            Path file = write(dir, "x.jsonl", lines("{\"prompt\": \"ignored\", \"chosen\": \"same start A\", \"rejected\": \"same start B\"}"));
            LoadResult r = PreferenceDataLoader.load(file, DEFAULTS.withFormat(DataFormat.IMPLICIT_PROMPT));
            PairedExample p = (PairedExample) r.examples().get(0);
            assertThat(p.prompt()).isEqualTo(text("same start"));
            assertThat(r.files().get(0).ignoredFields()).containsExactly("prompt");
        }

        @Test
        @DisplayName("the format is detected per file: a paired file and an unpaired file load together")
        void perFile() {
            Path a = write(dir, "a.jsonl", lines("{\"prompt\": \"p\", \"chosen\": \"c\", \"rejected\": \"r\"}"));
            Path b = write(dir, "b.jsonl", lines("{\"prompt\": \"p\", \"completion\": \"c\", \"label\": true}"));
            LoadResult r = PreferenceDataLoader.load(List.of(a, b), DEFAULTS);
            assertThat(r.files()).extracting(FileReport::format).containsExactly(DataFormat.PAIRED, DataFormat.UNPAIRED);
            assertThat(r.unpaired()).extracting(UnpairedExample::id)
                    .containsExactly(a + ":1#chosen", a + ":1#rejected", b + ":1");
        }

        @Test
        @DisplayName("detection skips leading rows that are not objects with a known field")
        void detectionSkipsBadFirstRow() {
            LoadResult r = PreferenceDataLoader.load(write(dir, "d.jsonl", lines("[1, 2]", "{\"prompt\": \"p\", \"completion\": \"c\", \"label\": true}")), SKIP);
            assertThat(r.files().get(0).format()).isEqualTo(DataFormat.UNPAIRED);
            assertThat(r.kept()).isEqualTo(1);
            assertThat(r.skippedByReason()).containsEntry(BadRowReason.NOT_AN_OBJECT, 1L);
        }

        @Test
        @DisplayName("a file whose rows have none of the known fields cannot be detected, and the message shows the fields it has")
        void undetectable() {
            assertThatThrownBy(() -> load("qa.jsonl", lines("{\"question\": \"q\", \"answer\": \"a\"}")))
                    .isInstanceOf(DpoException.class)
                    .hasMessageContaining("qa.jsonl:1: cannot tell the data format")
                    .hasMessageContaining("question, answer");
        }

        @Test
        @DisplayName("format names parse with a suggestion for a typo")
        void parseFormat() {
            assertThat(DataFormat.parse("implicit_prompt")).isEqualTo(DataFormat.IMPLICIT_PROMPT);
            assertThatThrownBy(() -> DataFormat.parse("pared")).isInstanceOf(DpoException.class)
                    .hasMessageContaining("did you mean 'paired'");
        }
    }

    @Nested
    @DisplayName("file kinds and encodings")
    class Files {

        @Test
        @DisplayName("a JSON array file gives file[index] ids and the line where each element starts")
        void jsonArray() {
            Path file = write(dir, "train.json", "[\n  {\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"},\n"
                    + "  {\"prompt\": \"d\",\n   \"chosen\": \"e\", \"rejected\": 5}\n]\n");
            LoadResult r = PreferenceDataLoader.load(file, SKIP);
            assertThat(r.files().get(0).jsonArray()).isTrue();
            assertThat(r.examples()).extracting(PreferenceExample::id).containsExactly(file + "[0]");
            assertThat(r.skipMessages()).containsExactly(file + ":3: field 'rejected': expected a string or a list of messages, found a number (5)");
        }

        @Test
        @DisplayName("a .json file of one object per line (as Hugging Face writes it) is read as JSON Lines")
        void jsonLinesNamedJson() {
            LoadResult r = load("hf.json", lines("{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}"));
            assertThat(r.files().get(0).jsonArray()).isFalse();
            assertThat(r.kept()).isEqualTo(1);
        }

        @Test
        @DisplayName("a byte-order mark, CRLF line ends and blank lines are accepted, and blank lines are not rows")
        void bomCrlfBlank() {
            byte[] body = ("\r\n{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\r\n   \r\n\t\r\n"
                    + "{\"prompt\": \"d\", \"chosen\": \"e\", \"rejected\": \"f\"}\r\n").getBytes(StandardCharsets.UTF_8);
            byte[] withBom = new byte[body.length + 3];
            withBom[0] = (byte) 0xEF;
            withBom[1] = (byte) 0xBB;
            withBom[2] = (byte) 0xBF;
            System.arraycopy(body, 0, withBom, 3, body.length);
            Path file = write(dir, "bom.jsonl", withBom);
            LoadResult r = PreferenceDataLoader.load(file, DEFAULTS);
            assertThat(r.rowsRead()).isEqualTo(2);
            assertThat(r.examples()).extracting(PreferenceExample::id).containsExactly(file + ":2", file + ":5");
            assertThat(((PairedExample) r.examples().get(1)).rejected()).isEqualTo(text("f"));
        }

        @Test
        @DisplayName("invalid UTF-8 is reported with its line and byte")
        void invalidUtf8() {
            byte[] good = "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n".getBytes(StandardCharsets.UTF_8);
            byte[] bad = "{\"prompt\": \"\u00e9\u00e9\", \"chosen\": \"b\", \"rejected\": \"c\"}\n".getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = new byte[good.length + bad.length];
            System.arraycopy(good, 0, all, 0, good.length);
            System.arraycopy(bad, 0, all, good.length, bad.length);
            Path file = write(dir, "latin1.jsonl", all);
            assertThatThrownBy(() -> PreferenceDataLoader.load(file, DEFAULTS)).isInstanceOf(DpoException.class)
                    .hasMessage(file + ":2: invalid UTF-8 at byte 13 of the line (byte 0xe9) (set on_bad_row: skip to drop such rows)");
        }

        @Test
        @DisplayName("a broken JSON array stops loading whatever the policy, naming the line")
        void brokenArray() {
            Path file = write(dir, "broken.json", "[\n{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"},\n{\"prompt\": \"a\" \"chosen\"}\n]");
            assertThatThrownBy(() -> PreferenceDataLoader.load(file, SKIP)).isInstanceOf(DpoException.class)
                    .hasMessageStartingWith(file + ":3: invalid JSON")
                    .hasMessageContaining("convert it to JSON Lines");
        }

        @Test
        @DisplayName("a missing file, a directory, a gzip file and an unknown kind are clear errors")
        void fileErrors() {
            assertThatThrownBy(() -> PreferenceDataLoader.load(dir.resolve("nope.jsonl"), DEFAULTS))
                    .isInstanceOf(DpoException.class).hasMessageEndingWith("nope.jsonl: no such file");
            assertThatThrownBy(() -> PreferenceDataLoader.load(dir, DEFAULTS))
                    .isInstanceOf(DpoException.class).hasMessageContaining("is a directory");
            Path gz = write(dir, "d.jsonl.gz", new byte[] {0x1f, (byte) 0x8b, 8, 0});
            assertThatThrownBy(() -> PreferenceDataLoader.load(gz, DEFAULTS))
                    .isInstanceOf(DpoException.class).hasMessageContaining("gzip-compressed");
            Path txt = write(dir, "d.txt", "prompt,chosen,rejected\n");
            assertThatThrownBy(() -> PreferenceDataLoader.load(txt, DEFAULTS))
                    .isInstanceOf(DpoException.class).hasMessageContaining("starts with 'p' where '{' or '[' was expected");
        }

        @Test
        @DisplayName("an empty file loads as no rows, and requireExamples says there is nothing to train on")
        void emptyFile() {
            LoadResult r = load("empty.jsonl", "\n\n");
            assertThat(r.rowsRead()).isZero();
            assertThatThrownBy(r::requireExamples).isInstanceOf(DpoException.class).hasMessageContaining("no usable rows");
        }
    }

    @Nested
    @DisplayName("bad rows")
    class BadRows {

        @Test
        @DisplayName("under on_bad_row: error, the message names file, line, field, the value (abbreviated) and the reason")
        void errorMessage() {
            Path file = write(dir, "train.jsonl", lines("{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}",
                    "{\"prompt\": \"a\", \"chosen\": 42, \"rejected\": \"c\"}"));
            assertThatThrownBy(() -> PreferenceDataLoader.load(file, DEFAULTS)).isInstanceOf(DpoException.class)
                    .hasMessage(file + ":2: field 'chosen': expected a string or a list of messages, found a number (42)"
                            + " (set on_bad_row: skip to drop such rows)");
        }

        @Test
        @DisplayName("long values are cut to 60 characters and an ellipsis")
        void abbreviation() {
            String longText = "x".repeat(500);
            Path file = write(dir, "t.jsonl", lines("{\"prompt\": \"a\", \"completion\": \"b\", \"label\": \"" + longText + "\"}"));
            assertThatThrownBy(() -> PreferenceDataLoader.load(file, DEFAULTS)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("field 'label': expected true or false, found a string (\"" + "x".repeat(59) + "…)");
        }

        @Test
        @DisplayName("each kind of bad row is skipped and counted by its reason under on_bad_row: skip")
        void skipCounts() {
            Path file = write(dir, "mixed.jsonl", lines(
                    "{\"prompt\": \"ok\", \"chosen\": \"b\", \"rejected\": \"c\"}",
                    "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejec",
                    "{\"prompt\": \"a\", \"chosen\": \"b\" \"rejected\": \"c\"}",
                    "\"just a string\"",
                    "{\"prompt\": \"a\", \"prompt\": \"b\", \"chosen\": \"b\", \"rejected\": \"c\"}",
                    "{\"prompt\": \"a\", \"chosen\": \"b\"}",
                    "{\"prompt\": \"a\", \"chosen\": [\"b\"], \"rejected\": \"c\"}",
                    "{\"prompt\": \"\", \"chosen\": \"b\", \"rejected\": \"c\"}",
                    "{\"prompt\": [{\"role\": \"user\", \"content\": \"a\"}], \"chosen\": \"b\", \"rejected\": \"c\"}",
                    "{\"prompt\": \"a\", \"chosen\": null, \"rejected\": \"c\"}",
                    "{\"prompt\": \"ok too\", \"chosen\": \"b\", \"rejected\": \"c\", \"score\": 3}"));
            LoadResult r = PreferenceDataLoader.load(file, SKIP);
            assertThat(r.rowsRead()).isEqualTo(11);
            assertThat(r.kept()).isEqualTo(2);
            assertThat(r.skipped()).isEqualTo(9);
            assertThat(r.skippedByReason()).containsEntry(BadRowReason.TRUNCATED_JSON, 1L)
                    .containsEntry(BadRowReason.INVALID_JSON, 1L).containsEntry(BadRowReason.NOT_AN_OBJECT, 1L)
                    .containsEntry(BadRowReason.DUPLICATE_KEY, 1L).containsEntry(BadRowReason.MISSING_FIELD, 1L)
                    .containsEntry(BadRowReason.BAD_MESSAGE, 1L).containsEntry(BadRowReason.EMPTY_TEXT, 1L)
                    .containsEntry(BadRowReason.MIXED_CONTENT, 1L).containsEntry(BadRowReason.WRONG_TYPE, 1L);
            assertThat(r.skipMessages()).hasSize(LoadResult.MAX_SKIP_MESSAGES);
            assertThat(r.skipMessages().get(0)).startsWith(file + ":2: the JSON ends early");
            assertThat(r.skipMessages().get(3)).isEqualTo(file + ":5: field 'prompt': appears twice in one object");
            assertThat(r.summary()).contains("11 rows read, 2 kept, 9 skipped").contains("ignored fields: score")
                    .contains("skipped rows (first 5):");
        }

        @Test
        @DisplayName("a duplicate key inside a message is named by its path")
        void duplicateInMessage() {
            Path file = write(dir, "dup.jsonl", lines("{\"prompt\": [{\"role\": \"user\", \"content\": \"a\"}], "
                    + "\"chosen\": [{\"role\": \"assistant\", \"role\": \"user\", \"content\": \"b\"}], \"rejected\": [{\"role\": \"assistant\", \"content\": \"c\"}]}"));
            assertThatThrownBy(() -> PreferenceDataLoader.load(file, DEFAULTS))
                    .hasMessageStartingWith(file + ":1: field 'chosen[0].role': appears twice in one object");
        }

        @Test
        @DisplayName("messages need a known role (with a suggestion for a typo) and string content")
        void badMessages() {
            Path role = write(dir, "role.jsonl", lines("{\"prompt\": [{\"role\": \"usr\", \"content\": \"a\"}], "
                    + "\"chosen\": [{\"role\": \"assistant\", \"content\": \"b\"}], \"rejected\": [{\"role\": \"assistant\", \"content\": \"c\"}]}"));
            assertThatThrownBy(() -> PreferenceDataLoader.load(role, DEFAULTS))
                    .hasMessageContaining(":1: field 'prompt[0].role': unknown role \"usr\" (did you mean 'user'?)");
            Path content = write(dir, "content.jsonl", lines("{\"prompt\": [{\"role\": \"user\", \"content\": \"a\"}], "
                    + "\"chosen\": [{\"role\": \"assistant\", \"content\": [{\"type\": \"text\", \"text\": \"b\"}]}], \"rejected\": [{\"role\": \"assistant\", \"content\": \"c\"}]}"));
            assertThatThrownBy(() -> PreferenceDataLoader.load(content, DEFAULTS))
                    .hasMessageContaining("field 'chosen[0].content': expected a string, found a list")
                    .hasMessageContaining("content parts are not supported");
            Path noRole = write(dir, "norole.jsonl", lines("{\"chosen\": [{\"content\": \"b\"}], \"rejected\": [{\"role\": \"assistant\", \"content\": \"c\"}]}"));
            assertThatThrownBy(() -> PreferenceDataLoader.load(noRole, DEFAULTS))
                    .hasMessageContaining("field 'chosen[0].role': missing");
        }

        @Test
        @DisplayName("implicit prompts fail clearly when nothing is shared or nothing is left of a response")
        void implicitPromptFaults() {
            Path none = write(dir, "none.jsonl", lines("{\"chosen\": \"Yes\", \"rejected\": \"No\"}"));
            assertThatThrownBy(() -> PreferenceDataLoader.load(none, DEFAULTS))
                    .hasMessageContaining(":1: field 'chosen': 'chosen' and 'rejected' share no beginning");
            Path same = write(dir, "same.jsonl", lines("{\"chosen\": \"Q: A\", \"rejected\": \"Q: A\"}"));
            assertThatThrownBy(() -> PreferenceDataLoader.load(same, DEFAULTS))
                    .hasMessageContaining("field 'rejected': identical to 'chosen'");
            Path prefix = write(dir, "prefix.jsonl", lines("{\"chosen\": \"Q: A\", \"rejected\": \"Q: A and more\"}"));
            assertThatThrownBy(() -> PreferenceDataLoader.load(prefix, DEFAULTS))
                    .hasMessageContaining("field 'chosen': nothing is left after the shared prompt");
        }

        @Test
        @DisplayName("a label that is not a JSON boolean is a bad row of its own class")
        void labels() {
            Path file = write(dir, "kto.jsonl", lines("{\"prompt\": \"p\", \"completion\": \"c\", \"label\": 1}",
                    "{\"prompt\": \"p\", \"completion\": \"c\", \"label\": \"true\"}", "{\"prompt\": \"p\", \"completion\": \"c\"}"));
            LoadResult r = PreferenceDataLoader.load(file, SKIP);
            assertThat(r.skippedByReason()).containsEntry(BadRowReason.LABEL_NOT_BOOLEAN, 2L)
                    .containsEntry(BadRowReason.MISSING_FIELD, 1L);
        }

        @Test
        @DisplayName("long texts up to data.max_field_chars are kept whole (truncated later); a longer one is a bad row naming the field")
        void longText() {
            String big = "word ".repeat(190_000);
            LoadResult r = load("long.jsonl", lines("{\"prompt\": \"p\", \"chosen\": \"" + big + "\", \"rejected\": \"r\"}"));
            assertThat(((Content.Text) ((PairedExample) r.examples().get(0)).chosen()).text()).hasSize(big.length());
            String huge = "word ".repeat(2_000_000);
            assertThatThrownBy(() -> load("huge.jsonl", lines("{\"prompt\": \"p\", \"chosen\": \"" + huge
                    + "\", \"rejected\": \"r\"}"))).isInstanceOf(DpoException.class)
                    .hasMessageContaining("huge.jsonl:1: field 'chosen': has 10000000 characters, over the limit "
                            + "data.max_field_chars = 1000000");
        }
    }

    @Nested
    @DisplayName("layouts")
    class Layouts {

        @Test
        @DisplayName("pairs unpair into a desirable chosen and an undesirable rejected example with suffixed ids")
        void unpairing() {
            LoadResult r = load("p.jsonl", lines("{\"id\": \"a\", \"prompt\": \"p\", \"chosen\": \"good\", \"rejected\": \"bad\"}"));
            assertThat(r.unpaired()).containsExactly(
                    new UnpairedExample("a#chosen", r.examples().get(0).source(), text("p"), text("good"), true),
                    new UnpairedExample("a#rejected", r.examples().get(0).source(), text("p"), text("bad"), false));
            assertThat(r.datasetSummary(DataLayout.UNPAIRED)).isEqualTo(new DatasetSummary(0, 1, 1));
            assertThat(r.datasetSummary(DataLayout.PAIRED)).isEqualTo(new DatasetSummary(1, 0, 0));
        }

        @Test
        @DisplayName("unpaired rows given to a paired objective are an error naming the row and the objective")
        void unpairedToPaired() {
            Path file = write(dir, "kto.jsonl", lines("{\"prompt\": \"p\", \"completion\": \"c\", \"label\": true}"));
            LoadResult r = PreferenceDataLoader.load(file, DEFAULTS);
            assertThatThrownBy(() -> r.pairs("dpo")).isInstanceOf(DpoException.class)
                    .hasMessageStartingWith(file + ":1: objective 'dpo' needs paired rows");
        }
    }
}
