package io.dpo4j.bench.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory from {@code /proc/self/status} (Linux): the native arrays of the
 * PyTorch engine live outside the Java heap, so the resident set is where their peak shows.
 * {@link #resetPeak()} writes 5 to {@code /proc/self/clear_refs}, which resets {@code VmHWM} to the
 * current resident set (Linux ≥ 4.0).
 */
final class PeakMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private PeakMemory() {
    }

    /** Resets the peak to the current resident set; false when the kernel does not allow it. */
    static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Current resident set, bytes. */
    static long residentBytes() {
        return field("VmRSS:");
    }

    /** Peak resident set since start or the last {@link #resetPeak()}, bytes. */
    static long peakBytes() {
        return field("VmHWM:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).replace("kB", "").trim()) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
