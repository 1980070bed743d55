package io.dpo4j.cli;

import io.dpo4j.core.train.CheckpointStore;
import io.dpo4j.core.train.TokenizerEncoder;
import io.dpo4j.core.DpoException;
import io.dpo4j.cli.config.ConfigFiles;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The run folder: checked before any model is loaded (it can be created and written, has enough free
 * space, and does not hold another run unless resuming or overwriting), then created and given the
 * fully resolved configuration.
 *
 * <p>{@link #check} leaves the file system as it found it, so a run refused by it (or by any other
 * preflight check that runs before {@link #prepare}) leaves no folder behind.
 */
public final class RunFolder {

    /** The resolved configuration's file name. */
    public static final String RESOLVED = "config.resolved.yaml";
    /** Free space below which a run refuses to start, unless {@value #MIN_FREE_BYTES_PROPERTY} says otherwise. */
    public static final long MIN_FREE_BYTES = 64L << 20;
    /**
     * The system property that overrides {@link #MIN_FREE_BYTES} (a number of bytes): {@code
     * -Ddpo4j.minFreeBytes=0} turns the check off, a huge value makes any disk "nearly full" (tests).
     */
    public static final String MIN_FREE_BYTES_PROPERTY = "dpo4j.minFreeBytes";

    private static final String PROBE = ".write-probe";

    private RunFolder() {
    }

    /** The free space a run needs: {@value #MIN_FREE_BYTES_PROPERTY}, else {@link #MIN_FREE_BYTES}. */
    public static long minFreeBytes() {
        String value = System.getProperty(MIN_FREE_BYTES_PROPERTY, "").strip();
        if (value.isEmpty()) {
            return MIN_FREE_BYTES;
        }
        try {
            long bytes = Long.parseLong(value);
            if (bytes >= 0) {
                return bytes;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new DpoException("-D" + MIN_FREE_BYTES_PROPERTY + "=" + value + ": expected a number of bytes >= 0");
    }

    /**
     * Checks the output folder and leaves it as it was: it is a folder (or can be created), it holds
     * no other run (unless {@code overwrite}) or — with {@code resume} — the run of this very
     * configuration, enough space is free, and a file can be written in it (a probe, deleted again,
     * in a folder created for the purpose and removed again).
     */
    public static void check(TrainConfig config, boolean resume, boolean overwrite) throws IOException {
        Path out = config.output();
        RunFolderContents.refuseSystemFolder(out);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new DpoException("output folder " + out + " is a file, not a folder; choose another --out");
        }
        if (Files.isDirectory(out) && holdsSomething(out)) {
            Path previous = out.resolve(RESOLVED);
            if (resume) {
                if (!Files.isRegularFile(previous)) {
                    throw new DpoException("--resume: " + out + " holds no " + RESOLVED + "; it is not a dpo run folder");
                }
                // Compare as re-serialised YAML: a loaded tree has IntNodes where toTree() has LongNodes.
                String before = ConfigFiles.toYaml(ConfigFiles.load(previous));
                String now = ConfigFiles.toYaml(ConfigFiles.parse("resolved", ConfigFiles.toYaml(config.toTree())));
                if (!before.equals(now)) {
                    throw new DpoException("--resume: the configuration differs from the one " + out + " was started "
                            + "with (" + previous + "); resume with the same configuration, or start a new run with --out");
                }
            } else if (overwrite) {
                RunFolderContents.checkReplaceable(out);
            } else if (RunFolderContents.isRun(out)) {
                throw new DpoException("output folder " + out + " already holds a run; pass --resume to continue it, "
                        + "--overwrite to replace it, or choose another folder with --out (nothing was changed)");
            } else {
                throw new DpoException("output folder " + out + " is not empty and is not a dpo run folder (it holds "
                        + String.join(", ", RunFolderContents.foreignEntries(out).stream().limit(5).toList())
                        + "); choose a new or empty folder with --out (nothing was changed)");
            }
        }
        Path existing = nearestExisting(out);
        if (!Files.isDirectory(existing)) {
            throw new DpoException("output folder " + out + " cannot be created: " + existing
                    + " is a file, not a folder");
        }
        checkFreeSpace(out, existing);
        probe(out);
    }

    /**
     * Proves the folder writable the only reliable way — by writing (file permissions say little to
     * root, and nothing about read-only mounts): creates it if missing, writes and deletes a probe
     * file, and removes again whatever folders it created.
     */
    private static void probe(Path out) {
        Path firstCreated = Files.exists(out) ? null : firstMissing(out);
        try {
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                throw new DpoException("output folder " + out + " cannot be created: " + describe(e));
            }
            try {
                Path probe = out.resolve(PROBE);
                Files.writeString(probe, "probe");
                Files.delete(probe);
            } catch (IOException e) {
                throw new DpoException("output folder " + out + " is not writable: " + describe(e));
            }
        } finally {
            removeCreated(firstCreated);
        }
    }

    /**
     * Checks the folder (see {@link #check}), then creates it — replacing a previous run with
     * {@code overwrite} — and writes the resolved configuration.
     */
    public static void prepare(TrainConfig config, boolean resume, boolean overwrite, PrintWriter log) throws IOException {
        check(config, resume, overwrite);
        Path out = config.output();
        if (overwrite && Files.isDirectory(out) && holdsSomething(out)) {
            log.println("output: replacing the previous run in " + out + " (--overwrite; only files dpo wrote)");
            RunFolderContents.deleteRun(out);
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new DpoException("output folder " + out + " cannot be created: " + describe(e));
        }
        RunFolderContents.mark(out);
        if (resume) {
            // A kill in the middle of an atomic write leaves its temporary file; the run is this folder's only writer.
            AtomicFiles.removeLeftovers(out);
            AtomicFiles.removeLeftovers(out.resolve("samples"));
        }
        AtomicFiles.writeString(out.resolve(RESOLVED), ConfigFiles.toYaml(config.toTree()));
    }

    /** Refuses a tokenizer whose ids do not fit the model's vocabulary. */
    public static void checkTokenizer(TextTokenizer tokenizer, int modelVocabulary, Path folder) {
        io.dpo4j.core.tokenizer.SpecialTokens.requireFits(tokenizer, modelVocabulary, folder);
        io.dpo4j.core.tokenizer.SpecialTokens.resolve(tokenizer, io.dpo4j.core.model.LlamaConfig.read(
                folder.resolve(io.dpo4j.core.model.HuggingFaceCheckpoint.CONFIG)), folder);
    }

    private static void checkFreeSpace(Path out, Path existing) throws IOException {
        long needed = minFreeBytes();
        long free = Files.getFileStore(existing).getUsableSpace();
        if (free < needed) {
            throw new DpoException(String.format(Locale.ROOT,
                    "output folder %s has only %.1f MiB free; a run needs at least %.1f MiB for checkpoints "
                            + "(free some space or choose another --out)", out, free / 1048576.0, needed / 1048576.0));
        }
    }

    /**
     * True when the folder holds anything besides what an interrupted {@link #prepare} may leave
     * behind (its write probe, the run marker, a temporary file of the resolved configuration).
     */
    private static boolean holdsSomething(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).anyMatch(n -> !n.equals(PROBE) && !n.equals(RunFolderContents.MARKER)
                    && !(n.startsWith("." + RESOLVED + ".") && n.endsWith(".tmp")));
        }
    }

    /** The folder itself when it exists, else its nearest existing ancestor. */
    private static Path nearestExisting(Path out) {
        Path p = out.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? out.toAbsolutePath().getRoot() : p;
    }

    private static Path firstMissing(Path out) {
        Path p = out.toAbsolutePath();
        while (p.getParent() != null && !Files.exists(p.getParent())) {
            p = p.getParent();
        }
        return p;
    }

    /** Deletes the folders {@link #prepare} created, if they are still empty. */
    private static void removeCreated(Path firstCreated) {
        if (firstCreated == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(firstCreated)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (Files.isDirectory(p)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            // best effort: the message about the unwritable folder matters more
        }
    }

    private static String describe(IOException e) {
        String type = e.getClass().getSimpleName();
        String message = e.getMessage() == null ? "" : e.getMessage();
        return switch (type) {
            case "FileAlreadyExistsException" -> message + " is a file, not a folder";
            case "AccessDeniedException" -> "permission denied (" + message + ")";
            case "FileSystemException" -> message;
            default -> type + ": " + message;
        };
    }
}
