package io.dpo4j.core.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The memory a run may use on this machine: the kernel's {@code MemAvailable} plus what this process
 * already holds, capped by the cgroup's {@code memory.max} when one is set. Empty where {@code /proc}
 * is not readable (then no plan is enforced).
 */
public final class AvailableMemory {

    private AvailableMemory() {
    }

    /**
     * The bytes available to this process now, if known; {@code -Ddpo4j.availableMemoryBytes}
     * ({@link io.dpo4j.core.model.ModelFootprint#AVAILABLE_PROPERTY}, the one override of every memory
     * check) replaces the measurement (0: unknown, no plan enforced).
     */
    public static OptionalLong bytes() {
        if (!System.getProperty(io.dpo4j.core.model.ModelFootprint.AVAILABLE_PROPERTY, "").isBlank()) {
            return io.dpo4j.core.model.ModelFootprint.availableBytes();
        }
        long available = meminfo("MemAvailable:");
        if (available < 0) {
            return OptionalLong.empty();
        }
        long own = Math.max(0, status("VmRSS:"));
        long total = available + own;
        long cgroup = cgroupLimit();
        return OptionalLong.of(cgroup > 0 ? Math.min(total, cgroup) : total);
    }

    /** This process's peak resident memory so far ({@code VmHWM}), in bytes, or -1. */
    public static long peakResidentBytes() {
        return status("VmHWM:");
    }

    /** This process's resident memory now ({@code VmRSS}), in bytes, or -1. */
    public static long residentBytes() {
        return status("VmRSS:");
    }

    private static long meminfo(String key) {
        return kb(Path.of("/proc/meminfo"), key);
    }

    private static long status(String key) {
        return kb(Path.of("/proc/self/status"), key);
    }

    private static long kb(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long cgroupLimit() {
        try {
            Path max = Path.of("/sys/fs/cgroup/memory.max");
            if (Files.isReadable(max)) {
                String v = Files.readString(max).strip();
                return "max".equals(v) ? -1 : Long.parseLong(v);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
