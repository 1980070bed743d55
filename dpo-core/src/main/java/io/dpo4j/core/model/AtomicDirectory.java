package io.dpo4j.core.model;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Writes a folder so that readers never see a half-written one: the content goes to a temporary
 * sibling folder first, which is then renamed into place (an atomic rename within one folder).
 */
final class AtomicDirectory {

    /** Fills a new, empty folder. */
    @FunctionalInterface
    interface Writer {
        /** Writes the content into {@code temporary}. */
        void write(Path temporary) throws IOException;
    }

    private AtomicDirectory() {
    }

    /**
     * Writes a folder: {@code writer} fills a temporary folder next to {@code target}, which is then
     * renamed to {@code target}. An existing {@code target} folder is first renamed aside and deleted
     * once the new one is in place (restored if the swap fails), so {@code target} always holds either
     * the complete old or the complete new content, apart from the instant between the two renames.
     */
    static void write(Path target, Writer writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
            throw new IOException(absolute + " exists and is not a folder");
        }
        Path temporary = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".tmp-");
        try {
            writer.write(temporary);
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
                deleteRecursively(old);
            } else {
                move(temporary, absolute);
            }
        } finally {
            if (Files.exists(temporary)) {
                deleteRecursively(temporary);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a file or a folder with everything in it. */
    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
