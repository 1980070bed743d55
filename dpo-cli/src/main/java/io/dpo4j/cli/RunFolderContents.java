package io.dpo4j.cli;

import io.dpo4j.core.train.CheckpointStore;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a dpo run folder may hold, and the only way one is ever emptied: a folder is a run when it
 * carries the marker file {@value #MARKER} (written first by every run) or — for runs made before
 * the marker existed — {@code config.resolved.yaml}; {@code --overwrite} deletes only the entries a
 * run writes, one by one, and refuses outright a folder that holds anything else, the root folder or
 * the home directory. Nothing the user did not create with dpo is ever deleted.
 */
final class RunFolderContents {

    /** The marker file that makes a folder recognisably a dpo run. */
    static final String MARKER = ".dpo-run";

    /** The entries a run writes in its folder (besides their hidden temporary files). */
    private static final Set<String> RUN_ENTRIES = Set.of(MARKER, RunFolder.RESOLVED, "metrics.jsonl", "checkpoints",
            "model", "samples", "summary.json", "report.html", ".write-probe");

    private RunFolderContents() {
    }

    /** Refuses the root folder and the home directory as a run folder, whatever they hold. */
    static void refuseSystemFolder(Path out) {
        Path absolute = normalized(out);
        if (absolute.getParent() == null) {
            throw new DpoException("output folder " + out + " is the root of the file system; a run needs a folder "
                    + "of its own (e.g. --out runs/my-run); nothing was changed");
        }
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank() && absolute.equals(normalized(Path.of(home)))) {
            throw new DpoException("output folder " + out + " is your home directory; a run needs a folder of its own "
                    + "(e.g. --out runs/my-run); nothing was changed");
        }
    }

    /** True when the folder carries a run's marker (or, from older runs, its resolved configuration). */
    static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)
                || Files.isRegularFile(dir.resolve(RunFolder.RESOLVED), LinkOption.NOFOLLOW_LINKS);
    }

    /** The entries of {@code dir} that no run writes, in name order. */
    static List<String> foreignEntries(Path dir) throws IOException {
        List<String> foreign = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (!isRunEntry(name)) {
                    foreign.add(name);
                }
            }
        }
        return foreign;
    }

    /**
     * Checks that {@code --overwrite} may empty {@code dir}: it is a run folder and holds nothing a
     * run does not write.
     */
    static void checkReplaceable(Path dir) throws IOException {
        if (!isRun(dir)) {
            throw new DpoException("output folder " + dir + " is not a dpo run folder (no " + MARKER + " or "
                    + RunFolder.RESOLVED + "; it holds " + sample(foreignEntries(dir)) + "); --overwrite only replaces "
                    + "a previous run: choose a new or empty folder with --out (nothing was changed)");
        }
        List<String> foreign = foreignEntries(dir);
        if (!foreign.isEmpty()) {
            throw new DpoException("output folder " + dir + " holds a run but also files dpo did not write ("
                    + sample(foreign) + "); --overwrite never deletes those: move them away or choose another "
                    + "--out (nothing was changed)");
        }
    }

    /** Deletes the run entries of {@code dir} (after {@link #checkReplaceable}), the marker last. */
    static void deleteRun(Path dir) throws IOException {
        checkReplaceable(dir);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!name.equals(MARKER) && isRunEntry(name)) {
                    CheckpointStore.deleteTree(p);
                }
            }
        }
    }

    /** Writes the marker (first thing in a new run folder). */
    static void mark(Path dir) throws IOException {
        Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
            AtomicFiles.writeString(marker, "dpo4j run folder: dpo train --overwrite may replace what it wrote here\n");
        }
    }

    private static boolean isRunEntry(String name) {
        if (RUN_ENTRIES.contains(name)) {
            return true;
        }
        // Hidden temporary files of an atomic write of one of the entries: .NAME.*.tmp, .NAME.tmp-*, .NAME.old-*
        for (String entry : RUN_ENTRIES) {
            String prefix = "." + entry.replaceFirst("^\\.", "") + ".";
            if (name.startsWith(prefix) && (name.endsWith(".tmp") || name.startsWith(prefix + "tmp-")
                    || name.startsWith(prefix + "old-"))) {
                return true;
            }
        }
        return false;
    }

    private static String sample(List<String> names) {
        if (names.isEmpty()) {
            return "nothing";
        }
        String shown = String.join(", ", names.subList(0, Math.min(5, names.size())));
        return names.size() > 5 ? shown + ", … (" + names.size() + " entries)" : shown;
    }

    private static Path normalized(Path p) {
        try {
            return p.toAbsolutePath().normalize().toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
