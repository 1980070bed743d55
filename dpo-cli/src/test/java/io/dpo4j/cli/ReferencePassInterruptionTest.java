package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.core.reliability.FaultLedger;
import io.dpo4j.core.train.CheckpointStore;
import io.dpo4j.core.train.ReferenceCache;
import io.dpo4j.core.train.ReferencePass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dpo train} killed with SIGKILL around the reference pass, then resumed with {@code
 * --resume}: killed inside the pass (held open by the test hook {@value ReferencePass#PAUSE_PROPERTY}
 * after scoring, before the cache is written), the resumed run finds no cache and redoes the pass;
 * killed after the cache is sealed (in the first checkpoint write), it reuses the cache without
 * loading the reference model. Both end with the weights of an uninterrupted run (1e-6).
 */
@Tag("slow")
@DisplayName("Interruption around the reference pass: SIGKILL inside it is redone on --resume, after it the cache is reused; same weights")
class ReferencePassInterruptionTest {

    static final FaultLedger LEDGER = new FaultLedger("interruption", "ReferencePassInterruptionTest (dpo-bench)");
    static final long PAUSE_MILLIS = 20_000;
    /** A hang guard, not a timing assertion. */
    static final long HANG_MILLIS = 180_000;

    @TempDir
    static Path dir;
    static Path config;
    static Path uninterrupted;

    @BeforeAll
    static void setUp() {
        LEDGER.declare("SIGKILL during the reference pass", "killed while the reference model's statistics are computed, "
                + "before they are written; then --resume");
        LEDGER.declare("SIGKILL after the reference pass", "killed in the first checkpoint write, the reference "
                + "statistics sealed; then --resume");
        config = TinyRuns.config(dir.resolve("cfg"), "");
        uninterrupted = dir.resolve("uninterrupted");
        CliRunner.Result r = CliRunner.run("train", config.toString(), "--out", uninterrupted.toString(), "--cache",
                TinyRuns.sharedCache().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    @AfterAll
    static void publish() {
        LEDGER.publish();
    }

    static Process start(Path out, Path cache, boolean resume, String hook, String logName) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss4m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1"));
        if (hook != null) {
            command.add("-D" + hook + "=" + PAUSE_MILLIS);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.dpo4j.cli.DpoMain", "train",
                config.toString(), "--out", out.toString(), "--cache", cache.toString()));
        if (resume) {
            command.add("--resume");
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.redirectOutput(dir.resolve(logName + ".out").toFile());
        pb.redirectError(dir.resolve(logName + ".err").toFile());
        return pb.start();
    }

    static String log(String logName) {
        try {
            return Files.readString(dir.resolve(logName + ".err"));
        } catch (IOException e) {
            return "";
        }
    }

    /** Polls until the condition holds while the process lives (a hang guard bounds the wait). */
    static void awaitThenKill(Process p, BooleanSupplier condition, String logName) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANG_MILLIS);
        while (!condition.getAsBoolean()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("the moment to kill never came:\n" + log(logName));
            }
            Thread.sleep(2);
        }
        p.destroyForcibly().waitFor();
        assertThat(p.exitValue()).isEqualTo(137);
    }

    static int finish(Process p, String logName) throws InterruptedException {
        if (!p.waitFor(HANG_MILLIS, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the child made no progress:\n" + log(logName));
        }
        return p.exitValue();
    }

    static List<Path> referenceCaches(Path cache) throws IOException {
        if (!Files.isDirectory(cache)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(cache)) {
            return s.filter(f -> f.getFileName().toString().startsWith("reference-")
                    && f.getFileName().toString().endsWith(".bin")).toList();
        }
    }

    /**
     * A cache holding what the uninterrupted run made (synthetic data, the warmed-up model) but no
     * reference statistics, so that the children spend their time in the reference pass and training.
     */
    static Path cacheWithoutReference(String name) throws IOException {
        Path shared = TinyRuns.sharedCache();
        Path copy = dir.resolve(name);
        try (Stream<Path> walk = Files.walk(shared)) {
            for (Path p : walk.toList()) {
                Path target = copy.resolve(shared.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().startsWith("reference-")) {
                    Files.copy(p, target);
                }
            }
        }
        assertThat(referenceCaches(copy)).isEmpty();
        return copy;
    }

    void assertSameWeights(Path out) {
        double delta = TinyRuns.maxDifference(TinyRuns.weights(uninterrupted.resolve("model")),
                TinyRuns.weights(out.resolve("model")));
        assertThat(delta).isLessThanOrEqualTo(1e-6);
    }

    @Test
    @DisplayName("killed inside the reference pass: no cache is left, --resume redoes the pass and ends with the same weights")
    void killedInside() throws Exception {
        Path out = dir.resolve("inside");
        Path cache = cacheWithoutReference("cache-inside");
        Process p = start(out, cache, false, ReferencePass.PAUSE_PROPERTY, "inside-1");
        awaitThenKill(p, () -> log("inside-1").contains("reference statistics: scoring"), "inside-1");
        assertThat(referenceCaches(cache)).as("no reference cache after the kill").isEmpty();
        assertThat(TinyRuns.list(out.resolve("checkpoints")).stream().filter(n -> n.startsWith("step-"))).isEmpty();
        Process resumed = start(out, cache, true, null, "inside-2");
        assertThat(finish(resumed, "inside-2")).as(log("inside-2")).isZero();
        assertThat(log("inside-2")).contains("reference statistics: scoring");
        assertSameWeights(out);
        LEDGER.record("SIGKILL during the reference pass", null, "killed (exit 137), no cache left; --resume redid the "
                + "pass and ended with the uninterrupted run's weights (max |Δ| ≤ 1e-6)");
    }

    @Test
    @DisplayName("killed after the reference pass (in the first checkpoint write): --resume reuses the sealed cache, same weights")
    void killedAfter() throws Exception {
        Path out = dir.resolve("after");
        Path cache = cacheWithoutReference("cache-after");
        Process p = start(out, cache, false, CheckpointStore.PAUSE_PROPERTY, "after-1");
        awaitThenKill(p, () -> TinyRuns.list(out.resolve("checkpoints")).stream().anyMatch(n -> n.startsWith(".partial-")),
                "after-1");
        List<Path> caches = referenceCaches(cache);
        assertThat(caches).hasSize(1);
        assertThat(ReferenceCache.load(caches.get(0))).isPresent();
        Process resumed = start(out, cache, true, null, "after-2");
        assertThat(finish(resumed, "after-2")).as(log("after-2")).isZero();
        assertThat(log("after-2")).contains("reference statistics: reused").doesNotContain("reference statistics: scoring");
        assertSameWeights(out);
        LEDGER.record("SIGKILL after the reference pass", null, "killed (exit 137) with the cache sealed; --resume reused "
                + "it (the reference model not loaded) and ended with the uninterrupted run's weights (max |Δ| ≤ 1e-6)");
    }
}
