package io.dpo4j.core.registry;

import io.dpo4j.core.io.InputFiles;
import java.util.Enumeration;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Refuses a plugin jar that is a zip bomb before any of it is inflated: an entry whose declared size
 * exceeds {@link #MAX_ENTRY_BYTES} or compresses more than {@link #MAX_RATIO}-fold (beyond 1 MiB), or
 * a jar whose entries add up to more than {@link #MAX_TOTAL_BYTES}, or has more than {@link
 * #MAX_ENTRIES} entries. (The services file is read with its own cap as well, since a declared size
 * can lie.)
 */
final class PluginJarLimits {

    /** Largest single entry, inflated. */
    static final long MAX_ENTRY_BYTES = 64L << 20;
    /** Largest sum of inflated entries. */
    static final long MAX_TOTAL_BYTES = 512L << 20;
    /** Most entries. */
    static final int MAX_ENTRIES = 100_000;
    /** Highest compression ratio accepted for an entry above 1 MiB. */
    static final long MAX_RATIO = 200;

    private PluginJarLimits() {
    }

    /** Why the jar is refused, or empty when it is within the limits. */
    static Optional<String> check(JarFile jar) {
        long total = 0;
        int count = 0;
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            JarEntry e = entries.nextElement();
            count++;
            if (count > MAX_ENTRIES) {
                return Optional.of("refused: more than " + MAX_ENTRIES + " entries (a zip bomb?)");
            }
            long size = e.getSize();
            long compressed = e.getCompressedSize();
            if (size > MAX_ENTRY_BYTES) {
                return Optional.of("refused: entry " + e.getName() + " inflates to " + InputFiles.human(size)
                        + ", over the " + InputFiles.human(MAX_ENTRY_BYTES) + " limit for one entry (a zip bomb?)");
            }
            if (size > (1L << 20) && compressed > 0 && size / compressed > MAX_RATIO) {
                return Optional.of("refused: entry " + e.getName() + " inflates " + (size / compressed) + "-fold to "
                        + InputFiles.human(size) + " (a zip bomb?)");
            }
            total += Math.max(0, size);
            if (total > MAX_TOTAL_BYTES) {
                return Optional.of("refused: its entries inflate to more than " + InputFiles.human(MAX_TOTAL_BYTES)
                        + " (a zip bomb?)");
            }
        }
        return Optional.empty();
    }
}
