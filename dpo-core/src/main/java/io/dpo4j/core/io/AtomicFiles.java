package io.dpo4j.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one place that writes files and folders so that a reader, a crash or a power loss never sees
 * half of one: the content goes to a temporary sibling, is forced to disk (every file and every
 * folder in it), then renamed over the target in one atomic step, and the parent folder is forced
 * too, so that the rename itself is durable. A failure of the operating system (no space left, a
 * read-only file system) is reported with the path it concerns.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Something that writes a file's content to a stream. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Something that fills a new, empty folder. */
    @FunctionalInterface
    public interface DirectoryWriter {
        /** Writes the content into {@code temporary}. */
        void write(Path temporary) throws IOException;
    }

    /** Writes {@code target} atomically and durably with the given content writer. */
    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw ResourceFailures.withPath(target, e);
        }
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                writer.write(out);
            }
            forceFile(tmp);
            move(tmp, target);
        } catch (IOException e) {
            throw ResourceFailures.withPath(target, e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes a UTF-8 string to {@code target} atomically and durably. */
    public static void writeString(Path target, String content) throws IOException {
        write(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Renames {@code source} over {@code target}, atomically where the file system allows it, and
     * forces the folders whose entries changed, so that the rename survives a power loss.
     */
    public static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
        Path to = target.toAbsolutePath().getParent();
        Path from = source.toAbsolutePath().getParent();
        forceDirectory(to);
        if (from != null && !from.equals(to)) {
            forceDirectory(from);
        }
    }

    /**
     * Writes a folder: {@code writer} fills a temporary folder next to {@code target}, everything in
     * it is forced to disk, then it is renamed to {@code target}. An existing {@code target} folder
     * is first renamed aside and deleted once the new one is in place (restored if the swap fails),
     * so {@code target} always holds either the complete old or the complete new content, apart from
     * the instant between the two renames.
     */
    public static void writeDirectory(Path target, DirectoryWriter writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
            throw new IOException(absolute + " exists and is not a folder");
        }
        Path temporary;
        try {
            temporary = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".tmp-");
        } catch (IOException e) {
            throw ResourceFailures.withPath(absolute, e);
        }
        try {
            writer.write(temporary);
            forceTree(temporary);
            if (Files.exists(absolute)) {
                Path old = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".old-");
                Files.delete(old);
                move(absolute, old);
                try {
                    move(temporary, absolute);
                } catch (IOException e) {
                    move(old, absolute);
                    throw e;
                }
                deleteTree(old);
            } else {
                move(temporary, absolute);
            }
        } catch (IOException e) {
            throw ResourceFailures.withPath(absolute, e);
        } finally {
            if (Files.exists(temporary)) {
                deleteTree(temporary);
            }
        }
    }

    /** Forces a file's content and metadata to disk. */
    public static void forceFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /**
     * Forces a folder's entries to disk (so that files created, renamed or deleted in it stay so after
     * a power loss). A file system or platform that cannot open a folder for this is left alone.
     */
    public static void forceDirectory(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) and file systems cannot open or force a folder: nothing more can be done.
        }
    }

    /** Forces every file and every folder under {@code root} (and {@code root} itself) to disk. */
    public static void forceTree(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            if (Files.isRegularFile(p)) {
                forceFile(p);
            } else if (Files.isDirectory(p)) {
                forceDirectory(p);
            }
        }
    }

    private static final java.util.regex.Pattern TEMPORARY_FILE = java.util.regex.Pattern.compile("^\\..+\\.\\d+\\.tmp$");
    private static final java.util.regex.Pattern TEMPORARY_FOLDER = java.util.regex.Pattern.compile(
            "^\\.(.+)\\.(tmp|old)-\\d+$");

    /**
     * Deletes what a write killed half-way left in {@code dir}: temporary files of {@link #write}, and
     * temporary folders of {@link #writeDirectory} whose target exists (when it does not, the kill came
     * between the two renames and the folder is kept). Only for a folder no other process writes in.
     *
     * @return the number of entries deleted
     */
    public static int removeLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.toList();
        }
        for (Path p : entries) {
            String name = p.getFileName().toString();
            java.util.regex.Matcher folder = TEMPORARY_FOLDER.matcher(name);
            if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && TEMPORARY_FILE.matcher(name).matches()) {
                Files.deleteIfExists(p);
                removed++;
            } else if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && folder.matches()
                    && Files.exists(dir.resolve(folder.group(1)))) {
                deleteTree(p);
                removed++;
            }
        }
        return removed;
    }

    /** Deletes a file or a folder with everything in it (symbolic links are deleted, not followed). */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
