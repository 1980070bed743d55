package io.dpo4j.bench.report;

import io.dpo4j.core.Versions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where a result came from: versions, machine, git commit, time and command. */
public final class Provenance {

    private Provenance() {
    }

    /** The provenance of a run started with {@code command}. */
    public static Map<String, String> collect(String command) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("command", command);
        p.put("started", Instant.now().toString());
        p.put("dpo4j", Versions.dpo4j());
        p.put("git commit", gitCommit());
        p.put("DJL", Versions.djl());
        p.put("PyTorch", Versions.pytorch() + " (CPU)");
        p.put("Java", Versions.java() + " (" + System.getProperty("java.vm.name") + ")");
        p.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        p.put("CPU", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        p.put("max heap", Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        return p;
    }

    /** The current git commit (with "+dirty" for uncommitted changes), or "unknown". */
    public static String gitCommit() {
        try {
            String head = run("git", "rev-parse", "HEAD");
            String status = run("git", "status", "--porcelain", "--untracked-files=no");
            return head == null ? "unknown" : head + (status != null && !status.isBlank() ? "+dirty" : "");
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
