package io.dpo4j.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("AtomicFiles: files and folders replaced in one step, forced to disk, nothing temporary left")
class AtomicFilesTest {

    @TempDir
    Path dir;

    private Stream<String> names() throws IOException {
        return Files.list(dir).map(p -> p.getFileName().toString()).sorted();
    }

    @Test
    @DisplayName("a file is written and replaced; no temporary file stays")
    void file() throws IOException {
        Path f = dir.resolve("a.txt");
        AtomicFiles.writeString(f, "one");
        AtomicFiles.writeString(f, "two");
        assertThat(f).hasContent("two");
        assertThat(names()).containsExactly("a.txt");
    }

    @Test
    @DisplayName("a failing writer leaves the old file whole and no temporary file")
    void failingWriter() throws IOException {
        Path f = dir.resolve("a.txt");
        AtomicFiles.writeString(f, "old");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write('x');
            throw new IOException("No space left on device");
        })).isInstanceOf(java.nio.file.FileSystemException.class).hasMessageContaining(f.toString());
        assertThat(f).hasContent("old");
        assertThat(names()).containsExactly("a.txt");
    }

    @Test
    @DisplayName("a folder is written, forced and replaced whole; a failing writer keeps the old folder")
    void directory() throws IOException {
        Path target = dir.resolve("model");
        AtomicFiles.writeDirectory(target, t -> Files.writeString(Files.createDirectories(t.resolve("sub")).resolve("w"),
                "1"));
        AtomicFiles.writeDirectory(target, t -> Files.writeString(t.resolve("w2"), "2"));
        assertThat(Files.list(target).map(p -> p.getFileName().toString())).containsExactly("w2");
        assertThatThrownBy(() -> AtomicFiles.writeDirectory(target, t -> {
            Files.writeString(t.resolve("half"), "x");
            throw new IOException("Read-only file system");
        })).hasMessageContaining(target.toString());
        assertThat(target.resolve("w2")).hasContent("2");
        assertThat(names()).containsExactly("model");
        AtomicFiles.forceTree(target);
        AtomicFiles.forceDirectory(dir);
    }

    @Test
    @DisplayName("leftovers of killed writes are removed: temporary files, and temporary folders whose target exists")
    void leftovers() throws IOException {
        Files.writeString(dir.resolve("a.jsonl"), "kept");
        Files.writeString(dir.resolve(".a.jsonl.8123.tmp"), "half");
        Files.createDirectories(dir.resolve("model"));
        Files.createDirectories(dir.resolve(".model.tmp-77"));
        Files.createDirectories(dir.resolve(".gone.old-5")); // its target is missing: the only copy, kept
        Files.writeString(dir.resolve(".hidden.tmp"), "not ours");
        assertThat(AtomicFiles.removeLeftovers(dir)).isEqualTo(2);
        assertThat(names()).containsExactly(".gone.old-5", ".hidden.tmp", "a.jsonl", "model");
    }
}
