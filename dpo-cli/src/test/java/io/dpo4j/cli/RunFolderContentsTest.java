package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("RunFolderContents: only a marked run is emptied, and only of what a run writes")
class RunFolderContentsTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("a run's own entries (and their temporary files) are deleted, the marker last; foreign files refuse it")
    void deleteRun() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        RunFolderContents.mark(run);
        Files.writeString(run.resolve(RunFolder.RESOLVED), "x");
        Files.createDirectories(run.resolve("checkpoints").resolve("step-00000002"));
        Files.writeString(run.resolve("metrics.jsonl"), "{}");
        Files.writeString(run.resolve(".summary.json.123.tmp"), "partial");
        Files.createDirectories(run.resolve(".model.tmp-42"));
        RunFolderContents.deleteRun(run);
        assertThat(Files.list(run).map(p -> p.getFileName().toString())).containsExactly(RunFolderContents.MARKER);
        Files.writeString(run.resolve("notes.md"), "mine");
        assertThatThrownBy(() -> RunFolderContents.deleteRun(run)).isInstanceOf(DpoException.class)
                .hasMessageContaining("files dpo did not write (notes.md)");
        assertThat(run.resolve("notes.md")).hasContent("mine");
    }

    @Test
    @DisplayName("a folder without a marker is no run, however run-like its content; / and the home directory are refused")
    void notARun() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("f"));
        Files.createDirectories(folder.resolve("checkpoints"));
        Files.writeString(folder.resolve("metrics.jsonl"), "{}");
        assertThat(RunFolderContents.isRun(folder)).isFalse();
        assertThatThrownBy(() -> RunFolderContents.deleteRun(folder)).hasMessageContaining("is not a dpo run folder");
        assertThat(folder.resolve("metrics.jsonl")).exists();
        assertThatThrownBy(() -> RunFolderContents.refuseSystemFolder(Path.of("/"))).hasMessageContaining("root of the file system");
        assertThatThrownBy(() -> RunFolderContents.refuseSystemFolder(Path.of(System.getProperty("user.home"))))
                .hasMessageContaining("home directory");
        RunFolderContents.refuseSystemFolder(folder);
    }
}
