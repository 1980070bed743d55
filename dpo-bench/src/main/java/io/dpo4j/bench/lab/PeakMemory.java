package io.dpo4j.bench.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's peak resident memory during a piece of work, sampled from {@code /proc/self/status}
 * (VmRSS) every 20 ms by a daemon thread — native (libtorch) memory included, which the JVM's own
 * counters miss. Returns NaN where /proc is not available.
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

    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
