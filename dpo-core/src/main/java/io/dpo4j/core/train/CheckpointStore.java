package io.dpo4j.core.train;

import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.io.Checksums;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Checkpoints that survive a crash at any moment. Each is a folder {@code step-NNNNNNNN} under the
 * store's root, written into a hidden temporary folder first, sealed with a {@code MANIFEST.sha256}
 * (the SHA-256 of every file), forced to disk (every file and folder), then renamed into place in one
 * atomic step, and the store's folder is forced, so that neither a kill nor a power loss can leave a
 * checkpoint that looks sealed but is not. Loading verifies the
 * manifest and falls back to the previous checkpoint when the newest is partial or corrupt. Only the
 * newest {@code keep} checkpoints are kept; an old one is renamed to a hidden name before it is
 * deleted, so that a crash while pruning never leaves a half-deleted {@code step-*} folder.
 */
public final class CheckpointStore {

    /** The manifest file name inside each checkpoint. */
    public static final String MANIFEST = "MANIFEST.sha256";
    private static final String PREFIX = "step-";
    private static final String DISCARDED = ".discarded-";
    /**
     * A test hook: milliseconds to pause inside every checkpoint write, after its files are written
     * and before they are sealed and renamed into place — so that a test can kill the process
     * reliably in the middle of a checkpoint write. Unset (the default) or 0 means no pause.
     */
    public static final String PAUSE_PROPERTY = "dpo4j.test.checkpointPauseMillis";
    /**
     * A test hook: {@code STEP:REASON} makes the checkpoint write of that step (and every later one)
     * fail as the operating system would, after its files are written — e.g. {@code 4:Read-only file
     * system} or {@code 4:No space left on device} — so that resource faults in the middle of a run can
     * be tested without root or a real full disk. Unset (the default) means no fault.
     */
    public static final String FAULT_PROPERTY = "dpo4j.test.checkpointFault";

    private final Path root;
    private final int keep;

    public CheckpointStore(Path root, int keep) {
        this.root = root;
        this.keep = Math.max(1, keep);
    }

    /** Fills a folder with a checkpoint's files. */
    @FunctionalInterface
    public interface Writer {
        void write(Path folder) throws IOException;
    }

    /** A verified checkpoint. */
    public record Checkpoint(long step, Path folder) {
    }

    /** The folder that holds the checkpoints. */
    public Path root() {
        return root;
    }

    /**
     * Writes the checkpoint of {@code step} atomically and prunes old ones.
     *
     * @return the sealed checkpoint folder
     */
    public Path write(long step, Writer writer) throws IOException {
        try {
            return writeSealed(step, writer);
        } catch (IOException e) {
            // Name the checkpoint, not its temporary folder: "read-only file system: …/checkpoints/step-00000004"
            if (io.dpo4j.core.io.ResourceFailures.describe(e).isPresent()) {
                String reason = e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null
                        ? fs.getReason() : e.getMessage();
                java.nio.file.FileSystemException named = new java.nio.file.FileSystemException(
                        root.resolve(name(step)).toString(), null, reason);
                named.initCause(e);
                throw named;
            }
            throw e;
        }
    }

    private Path writeSealed(long step, Writer writer) throws IOException {
        Files.createDirectories(root);
        Path tmp = Files.createTempDirectory(root, ".partial-" + PREFIX + step + "-");
        try {
            writer.write(tmp);
            pauseForTests();
            faultForTests(step, tmp);
            Map<String, String> sums = new LinkedHashMap<>();
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    sums.put(tmp.relativize(f).toString().replace('\\', '/'), Checksums.sha256(f));
                }
            }
            StringBuilder manifest = new StringBuilder();
            sums.forEach((name, sum) -> manifest.append(sum).append("  ").append(name).append('\n'));
            AtomicFiles.writeString(tmp.resolve(MANIFEST), manifest.toString());
            AtomicFiles.forceTree(tmp); // every file and folder on disk before the rename …
            Path target = root.resolve(name(step));
            if (Files.exists(target)) {
                discard(target);
            }
            AtomicFiles.move(tmp, target); // … and the rename itself (the store's folder is forced)
            prune();
            return target;
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
    }

    private static void faultForTests(long step, Path tmp) throws IOException {
        String fault = System.getProperty(FAULT_PROPERTY, "");
        int colon = fault.indexOf(':');
        if (colon > 0 && step >= Long.parseLong(fault.substring(0, colon).strip())) {
            throw new java.nio.file.FileSystemException(tmp.toString(), null, fault.substring(colon + 1));
        }
    }

    private static void pauseForTests() {
        long millis = Long.getLong(PAUSE_PROPERTY, 0L);
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The newest checkpoint whose manifest verifies; {@code onRejected} hears about each one skipped. */
    public Optional<Checkpoint> latestValid(Consumer<String> onRejected) throws IOException {
        for (Checkpoint c : all()) {
            Optional<String> problem = verify(c.folder());
            if (problem.isEmpty()) {
                return Optional.of(c);
            }
            onRejected.accept("checkpoint " + c.folder() + " is unusable (" + problem.get() + "); trying an older one");
        }
        return Optional.empty();
    }

    /** Every sealed checkpoint folder, newest first (not verified). */
    public List<Checkpoint> all() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Checkpoint> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                String n = d.getFileName().toString();
                if (n.startsWith(PREFIX)) {
                    try {
                        out.add(new Checkpoint(Long.parseLong(n.substring(PREFIX.length())), d));
                    } catch (NumberFormatException e) {
                        // not one of ours
                    }
                }
            }
        }
        out.sort(Comparator.comparingLong(Checkpoint::step).reversed());
        return out;
    }

    /** Why a checkpoint folder is unusable, or empty when every file matches its manifest. */
    public static Optional<String> verify(Path folder) throws IOException {
        Path manifest = folder.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return Optional.of("no " + MANIFEST + ": the write did not finish");
        }
        List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return Optional.of("empty manifest");
        }
        for (String line : lines) {
            int sep = line.indexOf("  ");
            if (sep != 64) {
                return Optional.of("malformed manifest line '" + line + "'");
            }
            String sum = line.substring(0, sep);
            Path file = folder.resolve(line.substring(sep + 2));
            if (!Files.isRegularFile(file)) {
                return Optional.of("missing " + line.substring(sep + 2));
            }
            if (!Checksums.sha256(file).equals(sum)) {
                return Optional.of(line.substring(sep + 2) + " does not match its checksum");
            }
        }
        return Optional.empty();
    }

    private void prune() throws IOException {
        List<Checkpoint> all = all();
        for (int i = keep; i < all.size(); i++) {
            discard(all.get(i).folder());
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith(".partial-")
                    || p.getFileName().toString().startsWith(DISCARDED)).toList()) {
                deleteTree(d);
            }
        }
    }

    /**
     * Deletes a checkpoint folder so that a crash in the middle never leaves a half-deleted {@code
     * step-*} folder behind: it is renamed to a hidden name first (in one atomic step), then deleted.
     */
    private void discard(Path folder) throws IOException {
        Path aside = root.resolve(DISCARDED + folder.getFileName() + "-" + System.nanoTime());
        AtomicFiles.move(folder, aside);
        deleteTree(aside);
    }

    /** The folder name of the checkpoint of {@code step}. */
    public static String name(long step) {
        return String.format("%s%08d", PREFIX, step);
    }

    /** Deletes a folder and everything in it ({@link AtomicFiles#deleteTree}). */
    public static void deleteTree(Path dir) throws IOException {
        AtomicFiles.deleteTree(dir);
    }
}
