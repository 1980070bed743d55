package io.dpo4j.cli;

import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * JSON lines written as they are produced: to standard output, or to {@code FILE.partial} beside the
 * target, flushed after every batch (so a killed run leaves the rows done so far), then forced to disk
 * and renamed over the target in one step when everything is written.
 */
final class StreamedLines implements AutoCloseable {

    private final Path target;
    private final Path partial;
    private final Writer writer;
    private boolean committed;

    private StreamedLines(Path target, Path partial, Writer writer) {
        this.target = target;
        this.partial = partial;
        this.writer = writer;
    }

    static StreamedLines open(Path target, PrintWriter stdout) {
        if (target == null) {
            return new StreamedLines(null, null, stdout);
        }
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try {
            Path dir = target.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            return new StreamedLines(target, partial, Files.newBufferedWriter(partial, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new DpoException(partial + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Where the rows done so far are while the run goes on (null for standard output). */
    Path partial() {
        return partial;
    }

    void line(String json) {
        try {
            writer.write(json);
            writer.write('\n');
        } catch (IOException e) {
            throw new DpoException(partial + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Makes the lines so far visible (after each batch). */
    void flush() {
        try {
            writer.flush();
        } catch (IOException e) {
            throw new DpoException(partial + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Forces the file to disk and renames it over the target. */
    void commit() {
        flush();
        if (target == null) {
            committed = true;
            return;
        }
        try {
            writer.close();
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            AtomicFiles.move(partial, target);
            committed = true;
        } catch (IOException e) {
            throw new DpoException(target + ": cannot write: " + e.getMessage(), e);
        }
    }

    boolean committed() {
        return committed;
    }

    @Override
    public void close() {
        if (target != null && !committed) {
            try {
                writer.close();
            } catch (IOException e) {
                // the partial file keeps what was flushed
            }
        }
    }
}
