package io.dpo4j.cli.step;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's CPU time and page faults from {@code /proc/self/stat} (Linux; zeros elsewhere): user and
 * system time in clock ticks of 1/100 s (the kernel's {@code USER_HZ}), minor and major faults.
 *
 * @param userTicks user-mode CPU time, all threads
 * @param systemTicks kernel-mode CPU time, all threads
 * @param minorFaults page faults served without I/O (fresh or reclaimed pages)
 * @param majorFaults page faults that needed I/O
 */
record ProcStats(long userTicks, long systemTicks, long minorFaults, long majorFaults) {

    static final double TICKS_PER_SECOND = 100.0;

    /** Now. */
    static ProcStats now() {
        try {
            return parse(Files.readString(Path.of("/proc/self/stat")));
        } catch (IOException | RuntimeException e) {
            return new ProcStats(0, 0, 0, 0);
        }
    }

    /** Parses a {@code /proc/PID/stat} line (the command name may hold spaces and parentheses). */
    static ProcStats parse(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // after the name: state(3) ppid pgrp session tty tpgid flags minflt(10) cminflt majflt(12) cmajflt utime(14) stime
        return new ProcStats(Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[7]), Long.parseLong(f[9]));
    }

    /** The difference {@code this − earlier}. */
    ProcStats minus(ProcStats earlier) {
        return new ProcStats(userTicks - earlier.userTicks, systemTicks - earlier.systemTicks,
                minorFaults - earlier.minorFaults, majorFaults - earlier.majorFaults);
    }

    double userSeconds() {
        return userTicks / TICKS_PER_SECOND;
    }

    double systemSeconds() {
        return systemTicks / TICKS_PER_SECOND;
    }
}
