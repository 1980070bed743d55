package io.dpo4j.cli;

import static io.dpo4j.cli.TinyRuns.assertOneLineError;
import static io.dpo4j.cli.TinyRuns.list;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.core.reliability.FaultLedger;
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
 * {@code --overwrite} and {@code output:} only ever replace a folder that is recognisably a dpo run
 * (its marker files), and only what the run wrote: a folder of someone else's files, the root folder
 * and the home directory are refused with one line, and nothing in them is touched.
 */
@DisplayName("Overwrite safety: --overwrite replaces only a marked dpo run, never /, the home directory or a file dpo did not write")
class OverwriteSafetyTest {

    static final FaultLedger LEDGER = new FaultLedger("overwrite safety", "OverwriteSafetyTest (dpo-bench)");
    static final String REFUSED = "one line, exit 1, nothing deleted or created";

    @TempDir
    Path dir;

    @BeforeAll
    static void declare() {
        LEDGER.declare("--overwrite of a folder that is no run", "a folder of the user's files (or a symbolic link to "
                + "one), with --out or output: in the YAML");
        LEDGER.declare("--overwrite of a run holding foreign files", "a real run folder to which the user added a file");
        LEDGER.declare("the root folder or the home directory as output", "--out /, --out / --overwrite, --out ~ "
                + "--overwrite, output: / in the YAML");
        LEDGER.declare("a non-empty folder that is no run, without --overwrite", "the message must not claim it holds "
                + "a run");
        LEDGER.declare("--overwrite of a real previous run", "a finished run replaced by a new one");
    }

    @AfterAll
    static void publish() {
        LEDGER.publish();
    }

    CliRunner.Result train(String extraConfig, String... args) {
        List<String> all = new ArrayList<>(List.of("train", TinyRuns.config(dir.resolve("cfg"), extraConfig).toString(),
                "--cache", TinyRuns.sharedCache().toString()));
        all.addAll(List.of(args));
        return CliRunner.run(all.toArray(String[]::new));
    }

    Path userFolder(String name) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(name));
        Files.writeString(folder.resolve("thesis.tex"), "years of work");
        Files.createDirectories(folder.resolve("photos"));
        Files.writeString(folder.resolve("photos").resolve("a.jpg"), "jpeg");
        return folder;
    }

    void assertUntouched(Path folder) throws Exception {
        assertThat(list(folder)).containsExactly("photos", "thesis.tex");
        assertThat(Files.readString(folder.resolve("thesis.tex"))).isEqualTo("years of work");
        assertThat(list(folder.resolve("photos"))).containsExactly("a.jpg");
    }

    @Test
    @DisplayName("a folder of the user's files: --overwrite (by --out, by output:, through a symbolic link) is refused and deletes nothing")
    void notARun() throws Exception {
        Path folder = userFolder("home-like");
        assertOneLineError(train("", "--out", folder.toString(), "--overwrite"), "is not a dpo run folder",
                "photos, thesis.tex", "nothing was changed");
        assertUntouched(folder);
        LEDGER.record("--overwrite of a folder that is no run", null, "--out DIR --overwrite: " + REFUSED);
        assertOneLineError(train("output: " + folder + "\n", "--overwrite"), "is not a dpo run folder");
        assertUntouched(folder);
        LEDGER.record("--overwrite of a folder that is no run", null, "output: DIR + --overwrite: " + REFUSED);
        Path link = Files.createSymbolicLink(dir.resolve("link"), folder);
        assertOneLineError(train("", "--out", link.toString(), "--overwrite"), "is not a dpo run folder");
        assertUntouched(folder);
        LEDGER.record("--overwrite of a folder that is no run", null, "a symbolic link to it + --overwrite: " + REFUSED);
    }

    @Test
    @DisplayName("/ and the home directory are refused as output, with or without --overwrite, saying what they are")
    void systemFolders() throws Exception {
        for (List<String> args : List.of(List.of("--out", "/"), List.of("--out", "/", "--overwrite"))) {
            String line = assertOneLineError(train("", args.toArray(String[]::new)), "output folder / is the root of the "
                    + "file system");
            assertThat(line).doesNotContain("already holds a run");
            LEDGER.record("the root folder or the home directory as output", null, String.join(" ", args) + ": "
                    + REFUSED);
        }
        assertOneLineError(train("output: /\n", "--overwrite"), "is the root of the file system");
        LEDGER.record("the root folder or the home directory as output", null, "output: / + --overwrite: " + REFUSED);
        Path home = userFolder("home");
        String before = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            assertOneLineError(train("", "--out", home.toString(), "--overwrite"), "is your home directory");
        } finally {
            System.setProperty("user.home", before);
        }
        assertUntouched(home);
        LEDGER.record("the root folder or the home directory as output", null, "--out ~ --overwrite: " + REFUSED);
    }

    @Test
    @DisplayName("a non-empty folder that is no run, without --overwrite: 'not a dpo run folder', not 'already holds a run'")
    void notARunWithoutOverwrite() throws Exception {
        Path folder = userFolder("data");
        String line = assertOneLineError(train("", "--out", folder.toString()), "is not empty and is not a dpo run folder");
        assertThat(line).doesNotContain("already holds a run");
        assertUntouched(folder);
        LEDGER.record("a non-empty folder that is no run, without --overwrite", null, REFUSED);
    }

    @Test
    @DisplayName("a real run is replaced by --overwrite, but not once the user added a file to it")
    void realRun() throws Exception {
        Path run = dir.resolve("run");
        CliRunner.Result first = train("", "--out", run.toString(), "--set", "max_steps=2", "--set", "eval_every=2");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(list(run)).contains(".dpo-run", "config.resolved.yaml", "checkpoints", "model", "metrics.jsonl");
        Path notes = Files.writeString(run.resolve("my-notes.txt"), "keep me");
        assertOneLineError(train("", "--out", run.toString(), "--overwrite", "--set", "max_steps=2", "--set",
                "eval_every=2"), "holds a run but also files dpo did not write (my-notes.txt)");
        assertThat(Files.readString(notes)).isEqualTo("keep me");
        assertThat(list(run)).contains("checkpoints", "model");
        LEDGER.record("--overwrite of a run holding foreign files", null, REFUSED);
        Files.delete(notes);
        CliRunner.Result again = train("", "--out", run.toString(), "--overwrite", "--set", "max_steps=2", "--set",
                "eval_every=2");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.err()).contains("replacing the previous run in " + run);
        assertThat(list(run)).contains(".dpo-run", "checkpoints", "model");
        LEDGER.record("--overwrite of a real previous run", null, "replaced; only the run's own entries were deleted");
    }
}
