package io.dpo4j.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ResourceFailures: out of memory, no space, read-only, permission denied — one line naming the path or limit")
class ResourceFailuresTest {

    @Test
    @DisplayName("operating-system failures are named with their path, also when wrapped")
    void fileSystem() {
        assertThat(ResourceFailures.describe(new FileSystemException("/runs/a/x", null, "No space left on device")))
                .contains("no space left on device: /runs/a/x (free some space, or use another folder)");
        assertThat(ResourceFailures.describe(new RuntimeException(new UncheckedIOException(
                new FileSystemException("/ro/x", null, "Read-only file system"))))).contains("read-only file system: /ro/x");
        assertThat(ResourceFailures.describe(new AccessDeniedException("/etc/x"))).contains("permission denied: /etc/x "
                + "(not allowed)");
        assertThat(ResourceFailures.describe(new FileSystemException("/q", null, "Disk quota exceeded")))
                .contains("disk quota exceeded: /q");
    }

    @Test
    @DisplayName("a path-less write failure gets its path attached by withPath")
    void withPath() {
        IOException named = ResourceFailures.withPath(Path.of("/runs/a/metrics.jsonl"), new IOException(
                "No space left on device"));
        assertThat(ResourceFailures.describe(named)).contains("no space left on device: /runs/a/metrics.jsonl (free some "
                + "space, or use another folder)");
    }

    @Test
    @DisplayName("out of memory names the heap limit; other errors are not resource failures")
    void memory() {
        assertThat(ResourceFailures.describe(new OutOfMemoryError("Java heap space")).orElseThrow())
                .startsWith("out of memory: the Java heap limit of ").contains("DPO_JAVA_OPTS=-Xmx");
        assertThat(ResourceFailures.describe(new OutOfMemoryError("Requested array size exceeds VM limit")).orElseThrow())
                .contains("2^31");
        assertThat(ResourceFailures.describe(new IllegalStateException("bug"))).isEmpty();
        assertThat(ResourceFailures.describe(new IOException("Connection reset"))).isEmpty();
    }
}
