package io.dpo4j.cli;

import static io.dpo4j.cli.TinyRuns.assertOneLineError;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.core.reliability.FaultLedger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed data files through {@code dpo train} itself (the loaders' properties are in dpo-core's
 * MalformedInputPropertyTest): the message reaches the user as one clean line — file, line, field —
 * with exit status 1, before any model is loaded and before the run folder is created; under {@code
 * on_bad_row: skip} the bad rows are counted in the log and training goes on.
 */
@DisplayName("Malformed data through dpo train: one clean line with file, line and field, exit 1, no run folder; or counted skips")
class DataThroughTrainTest {

    static final FaultLedger LEDGER = new FaultLedger("data", "DataThroughTrainTest (dpo-cli)");
    static final String GOOD = "{\"prompt\": \"the movie was\", \"chosen\": \"great\", \"rejected\": \"bad\"}\n";
    static final String OUTCOME = "dpo train: one line naming file, line and field, exit 1, no run folder";

    @TempDir
    Path dir;

    @BeforeAll
    static void declare() {
        LEDGER.declare("malformed training file through dpo train", "a wrong type, a cut-off last line, invalid UTF-8, "
                + "a duplicate key, a non-boolean label (kto), a cut-off JSON array");
        LEDGER.declare("malformed validation or supervised file through dpo train", "a bad row in data.validation; "
                + "a text that is not a string in sft.data");
        LEDGER.declare("no usable row through dpo train", "an empty file; a file whose every row is skipped");
        LEDGER.declare("bad rows skipped through dpo train", "on_bad_row: skip over a file with a BOM, CRLF line ends, "
                + "blank lines and bad rows");
    }

    @AfterAll
    static void publish() {
        LEDGER.publish();
    }

    Path file(String name, byte[] content) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, content);
        return f;
    }

    Path file(String name, String content) throws Exception {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    CliRunner.Result train(String... sets) {
        List<String> args = new ArrayList<>(List.of("train", TinyRuns.config(dir, "").toString(), "--out",
                dir.resolve("run").toString(), "--cache", TinyRuns.sharedCache().toString(), "--set", "data.validation_split=0.2"));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        return CliRunner.run(args.toArray(String[]::new));
    }

    void assertNoRunFolder() {
        assertThat(dir.resolve("run")).doesNotExist();
    }

    @Test
    @DisplayName("malformed training files: the first bad row stops the run with its file, line and field")
    void trainingFiles() throws Exception {
        Path wrongType = file("wrong-type.jsonl", GOOD + "{\"prompt\": \"the plot\", \"chosen\": 42, \"rejected\": \"bad\"}\n");
        assertOneLineError(train("data.train=" + wrongType), wrongType + ":2: field 'chosen': expected a string or a list of "
                + "messages, found a number (42) (set on_bad_row: skip to drop such rows)");
        assertNoRunFolder();
        LEDGER.record("malformed training file through dpo train", null, "wrong type: " + OUTCOME);

        Path cut = file("cut.jsonl", GOOD + GOOD + "{\"prompt\": \"the plot\", \"chosen\": \"gre");
        assertOneLineError(train("data.train=" + cut), cut + ":3: ");
        assertNoRunFolder();
        LEDGER.record("malformed training file through dpo train", null, "cut-off last line: " + OUTCOME.replace(
                " and field", ""));

        byte[] utf8 = (GOOD + "{\"prompt\": \"the pl\u00f6t\", \"chosen\": \"great\", \"rejected\": \"bad\"}\n")
                .getBytes(StandardCharsets.UTF_8);
        utf8[GOOD.length() + 18] = (byte) 0xFF;
        Path invalid = file("invalid-utf8.jsonl", utf8);
        assertOneLineError(train("data.train=" + invalid), invalid + ":2: ", "UTF-8");
        assertNoRunFolder();
        LEDGER.record("malformed training file through dpo train", null, "invalid UTF-8: " + OUTCOME.replace(" and field", ""));

        Path duplicate = file("duplicate.jsonl", GOOD + "{\"prompt\": \"a\", \"chosen\": \"b\", \"chosen\": \"c\", \"rejected\": \"d\"}\n");
        assertOneLineError(train("data.train=" + duplicate), duplicate + ":2: ", "chosen");
        assertNoRunFolder();
        LEDGER.record("malformed training file through dpo train", null, "duplicate key: " + OUTCOME);

        Path label = file("labels.jsonl", "{\"prompt\": \"the movie was\", \"completion\": \"great\", \"label\": true}\n"
                + "{\"prompt\": \"the plot was\", \"completion\": \"bad\", \"label\": \"yes\"}\n");
        assertOneLineError(train("data.train=" + label, "objective.id=kto"), label + ":2: field 'label': expected true or false");
        assertNoRunFolder();
        LEDGER.record("malformed training file through dpo train", null, "label not a boolean (kto): " + OUTCOME);

        Path array = file("cut-array.json", "[\n" + GOOD.strip() + ",\n" + GOOD.strip().substring(0, 30));
        assertOneLineError(train("data.train=" + array), array.toString());
        assertNoRunFolder();
        LEDGER.record("malformed training file through dpo train", null, "cut-off JSON array: dpo train: one line naming "
                + "the file, exit 1, no run folder");
    }

    @Test
    @DisplayName("a malformed validation file or supervised corpus: named the same way")
    void otherFiles() throws Exception {
        Path train = file("train.jsonl", GOOD.repeat(10));
        Path validation = file("validation.jsonl", GOOD + "{\"prompt\": \"x\", \"chosen\": \"\", \"rejected\": \"y\"}\n");
        assertOneLineError(train("data.train=" + train, "data.validation=" + validation),
                validation + ":2: field 'chosen': an empty string");
        assertNoRunFolder();
        LEDGER.record("malformed validation or supervised file through dpo train", null, "data.validation: " + OUTCOME);

        Path corpus = file("corpus.jsonl", "{\"text\": \"the movie was great\"}\n{\"text\": [\"the\", \"plot\"]}\n");
        assertOneLineError(train("sft.data=" + corpus), corpus + ":2: field 'text': expected a string");
        assertNoRunFolder();
        LEDGER.record("malformed validation or supervised file through dpo train", null, "sft.data: " + OUTCOME);
    }

    @Test
    @DisplayName("no usable row: an empty file, or every row skipped, stops with the counts")
    void noUsableRow() throws Exception {
        Path empty = file("empty.jsonl", "\n\n");
        assertOneLineError(train("data.train=" + empty), "no usable rows in the data");
        assertNoRunFolder();
        LEDGER.record("no usable row through dpo train", null, "empty file: dpo train: an error with the counts, exit 1, "
                + "no run folder");
        Path allBad = file("all-bad.jsonl", "{\"prompt\": 1, \"chosen\": \"a\", \"rejected\": \"b\"}\n[1, 2]\n");
        CliRunner.Result r = train("data.train=" + allBad, "data.on_bad_row=skip");
        assertOneLineError(r, "no usable rows in the data", "2 rows read, 0 kept, 2 skipped");
        assertNoRunFolder();
        LEDGER.record("no usable row through dpo train", null, "every row skipped: dpo train: an error with the counts "
                + "by reason, exit 1, no run folder");
    }

    @Test
    @DisplayName("on_bad_row: skip: bad rows are counted by reason in the log, and the good ones train")
    void skipped() throws Exception {
        String rows = "\uFEFF" + GOOD.replace("\n", "\r\n") + "\n   \n" + "{\"prompt\": \"a\", \"chosen\": 7, \"rejected\": \"b\"}\n"
                + GOOD.repeat(11) + "{\"prompt\": \"c\", \"chosen\": \"d\"\n" + "{\"prompt\": \"\", \"chosen\": \"d\", \"rejected\": \"e\"}\n";
        Path mixed = file("mixed.jsonl", rows);
        CliRunner.Result r = train("data.train=" + mixed, "data.on_bad_row=skip", "max_steps=1", "eval_every=1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("15 rows read, 12 kept, 3 skipped (").contains("wrong type 1").contains("empty text 1")
                .contains(mixed + ":4: field 'chosen'");
        assertThat(r.out()).contains("trained 1 steps");
        LEDGER.record("bad rows skipped through dpo train", null, "every row accounted for in the log (read = kept + "
                + "skipped, by reason, with examples); training went on");
    }
}
