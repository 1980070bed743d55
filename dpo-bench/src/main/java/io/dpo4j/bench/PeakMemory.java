package io.dpo4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory from {@code /proc/self/status} (Linux), native (libtorch) memory
 * included, which the JVM's own counters miss: an instance samples VmRSS every 20 ms on a daemon
 * thread and keeps the peak of a piece of work (the benchmark's runs); the static methods read the
 * kernel's own counters (the JMH kernel benchmarks), {@link #resetPeak()} resetting {@code VmHWM} to
 * the current resident set by writing 5 to {@code /proc/self/clear_refs} (Linux ≥ 4.0). Values are
 * NaN or -1 where /proc is not available.
 */
public final class PeakMemory implements AutoCloseable {

    private final Thread sampler;
    private volatile boolean running = true;
    private volatile long peakKb;

    private PeakMemory() {
        peakKb = rssKb();
        sampler = new Thread(() -> {
            while (running) {
                long kb = rssKb();
                if (kb > peakKb) {
                    peakKb = kb;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "peak-memory");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Starts sampling. */
    public static PeakMemory start() {
        return new PeakMemory();
    }

    /** The peak so far, in MiB (NaN without /proc). */
    public double peakMib() {
        return peakKb <= 0 ? Double.NaN : peakKb / 1024.0;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }

    /** Resets the kernel's peak (VmHWM) to the current resident set; false when the kernel does not allow it. */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Current resident set, bytes (-1 without /proc). */
    public static long residentBytes() {
        long kb = field("VmRSS:");
        return kb < 0 ? -1 : kb * 1024;
    }

    /** The kernel's peak resident set since start or the last {@link #resetPeak()}, bytes (-1 without /proc). */
    public static long peakBytes() {
        long kb = field("VmHWM:");
        return kb < 0 ? -1 : kb * 1024;
    }

    static long rssKb() {
        return field("VmRSS:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
