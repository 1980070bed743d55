package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.reliability.FaultLedger;
import io.dpo4j.core.train.CheckpointStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code dpo train} as a separate process, killed with SIGKILL ({@link Process#destroyForcibly()})
 * at random moments — early (JVM start, data, reference statistics, the step-0 evaluation), between
 * checkpoints, and in the middle of a checkpoint write (the write is held open by the test hook
 * {@value CheckpointStore#PAUSE_PROPERTY}, and the kill comes when its temporary folder appears) —
 * and resumed with {@code --resume} until it completes. After every kill, every sealed checkpoint
 * verifies and the newest intact one is never older than before; at the end, the weights equal an
 * uninterrupted run's to 1e-6 and the metrics log and samples are the same.
 *
 * <p>The child processes run the distribution's main class, {@code io.dpo4j.cli.DpoMain}, on this
 * test's own class path. The moments are drawn from a seeded generator ({@value #SEED_PROPERTY}
 * overrides the seed); nothing is asserted about time.
 */
@Tag("slow")
@DisplayName("Interruption: dpo train killed with SIGKILL at random moments, also mid-checkpoint, and resumed, ends exactly as an uninterrupted run")
class InterruptionTest {

    static final FaultLedger LEDGER = new FaultLedger("interruption", "InterruptionTest (dpo-cli)");
    static final String SEED_PROPERTY = "dpo4j.interruption.seed";
    /** How long the paused checkpoint write waits for the kill (it never has to wait this long). */
    static final long PAUSE_MILLIS = 20_000;
    /** A hang guard, not a timing assertion: a child that makes no progress for this long fails the test. */
    static final long HANG_MILLIS = 180_000;

    static Path dir;
    static Path config;

    enum Moment {
        EARLY("SIGKILL early in a run", "0 to 2.5 s after the process starts, at the latest when its first checkpoint "
                + "is sealed: JVM start, data, reference statistics, the step-0 evaluation, the first steps"),
        BETWEEN_CHECKPOINTS("SIGKILL between checkpoints", "0 to 0.4 s after a new checkpoint is sealed, at the latest "
                + "when the next one is: training steps, evaluations, sampling, metrics lines, pruning"),
        IN_CHECKPOINT_WRITE("SIGKILL during a checkpoint write", "while the checkpoint's temporary folder holds the "
                + "written files, before it is sealed and renamed");

        final String name;
        final String description;

        Moment(String name, String description) {
            this.name = name;
            this.description = description;
        }
    }

    @BeforeAll
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("dpo4j-interruption");
        // 16 steps: the kills below keep at most 2 × 2 + 2 × 4 = 12 steps of progress, so every planned
        // kill has a checkpoint write ahead of it.
        config = Files.writeString(dir.resolve("train.yaml"), TinyRuns.CONFIG.replace("max_steps: 12", "max_steps: 16"));
        for (Moment m : Moment.values()) {
            LEDGER.declare(m.name, m.description);
        }
        LEDGER.declare("interrupted run, resumed to the end", "the killed run resumed with --resume until it completes, "
                + "compared with an uninterrupted run of the same configuration");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        CheckpointStore.deleteTree(dir);
        LEDGER.publish();
    }

    /** Starts {@code dpo train} in a new JVM with this test's class path; output goes to files. */
    static Process start(Path out, boolean resume, boolean pauseInCheckpoints, String logName) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss4m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1"));
        if (pauseInCheckpoints) {
            command.add("-D" + CheckpointStore.PAUSE_PROPERTY + "=" + PAUSE_MILLIS);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.dpo4j.cli.DpoMain", "train",
                config.toString(), "--out", out.toString(), "--cache", TinyRuns.sharedCache().toString()));
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
            String err = Files.readString(dir.resolve(logName + ".err"));
            return err.length() > 4000 ? "…" + err.substring(err.length() - 4000) : err;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Waits for the process to end (a hang guard, not a timing assertion). */
    static int waitFor(Process p, String logName) throws InterruptedException {
        if (!p.waitFor(HANG_MILLIS, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the child made no progress in " + HANG_MILLIS / 1000 + " s:\n" + log(logName));
        }
        return p.exitValue();
    }

    /** Polls until the condition holds or the process ends; true when the condition held with the process alive. */
    static boolean await(Process p, BooleanSupplier condition, String logName) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANG_MILLIS);
        while (p.isAlive()) {
            if (condition.getAsBoolean()) {
                return p.isAlive();
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("the child made no progress in " + HANG_MILLIS / 1000 + " s:\n" + log(logName));
            }
            Thread.sleep(2);
        }
        return false;
    }

    static Set<String> names(Path folder) {
        return new TreeSet<>(TinyRuns.list(folder));
    }

    /** The newest step-* folder's step (sealed: renamed into place), or -1. */
    static long newestSealed(Path checkpoints) {
        return names(checkpoints).stream().filter(n -> n.startsWith("step-")).mapToLong(n -> Long.parseLong(n.substring(5)))
                .max().orElse(-1);
    }

    static long newestValid(Path out) throws IOException {
        Optional<CheckpointStore.Checkpoint> c = new CheckpointStore(out.resolve("checkpoints"), 2).latestValid(m -> { });
        return c.map(CheckpointStore.Checkpoint::step).orElse(-1L);
    }

    @Test
    @DisplayName("six SIGKILLs at random moments (two mid-checkpoint), resumed each time: the same weights (1e-6), metrics and samples as an uninterrupted run")
    void killAndResume() throws Exception {
        // The uninterrupted run (it also fills the shared cache, so the killed runs only train).
        Path reference = dir.resolve("uninterrupted");
        Process whole = start(reference, false, false, "uninterrupted");
        assertThat(waitFor(whole, "uninterrupted")).as(log("uninterrupted")).isZero();

        long seed = Long.getLong(SEED_PROPERTY, 0x6b696c6cL);
        Random random = new Random(seed);
        List<Moment> plan = new ArrayList<>(List.of(Moment.EARLY, Moment.BETWEEN_CHECKPOINTS, Moment.IN_CHECKPOINT_WRITE,
                Moment.BETWEEN_CHECKPOINTS, Moment.IN_CHECKPOINT_WRITE, Moment.EARLY));
        Collections.shuffle(plan, random);

        Path out = dir.resolve("killed");
        Path checkpoints = out.resolve("checkpoints");
        int processes = 0;
        List<String> history = new ArrayList<>();
        for (Moment moment : plan) {
            long before = newestValid(out);
            Set<String> partialsBefore = names(checkpoints);
            String logName = "killed-" + (++processes);
            Process p = start(out, processes > 1, moment == Moment.IN_CHECKPOINT_WRITE, logName);
            boolean hit = switch (moment) {
                case EARLY -> {
                    long delay = TimeUnit.MILLISECONDS.toNanos(random.nextInt(2_500));
                    long start = System.nanoTime();
                    yield await(p, () -> System.nanoTime() - start >= delay || newestSealed(checkpoints) > before, logName);
                }
                case BETWEEN_CHECKPOINTS -> {
                    long extra = TimeUnit.MILLISECONDS.toNanos(random.nextInt(400));
                    boolean sealed = await(p, () -> newestSealed(checkpoints) > before, logName);
                    long first = newestSealed(checkpoints);
                    long start = System.nanoTime();
                    yield sealed && await(p, () -> System.nanoTime() - start >= extra || newestSealed(checkpoints) > first,
                            logName);
                }
                case IN_CHECKPOINT_WRITE -> await(p, () -> names(checkpoints).stream()
                        .anyMatch(n -> n.startsWith(".partial-step-") && !partialsBefore.contains(n)), logName);
            };
            assertThat(hit).as("the process was still running at the moment to kill it (%s):\n%s", moment, log(logName))
                    .isTrue();
            p.destroyForcibly();
            int code = waitFor(p, logName);
            assertThat(code).as("killed by SIGKILL").isEqualTo(137);
            if (moment == Moment.IN_CHECKPOINT_WRITE) {
                assertThat(names(checkpoints)).as("the write was cut: its temporary folder is left")
                        .anyMatch(n -> n.startsWith(".partial-step-") && !partialsBefore.contains(n));
            }
            // Nothing lost: every sealed checkpoint verifies, and the newest intact one is not older than before.
            for (String n : names(checkpoints)) {
                if (n.startsWith("step-")) {
                    assertThat(CheckpointStore.verify(checkpoints.resolve(n))).as("%s after a kill %s", n, moment).isEmpty();
                }
            }
            long after = newestValid(out);
            assertThat(after).isGreaterThanOrEqualTo(before);
            history.add(moment + ": newest intact checkpoint " + before + " → " + after + lastLine(logName));
            LEDGER.record(moment.name, moment.description, "killed (exit 137); every sealed checkpoint verified, the "
                    + "newest intact one no older than before; --resume continued from it");
        }

        // Resume until the run completes.
        int code = -1;
        for (int attempt = 0; attempt < 3 && code != 0; attempt++) {
            String logName = "resumed-" + (++processes);
            code = waitFor(start(out, true, false, logName), logName);
            assertThat(code).as(log(logName)).isIn(0);
        }

        double delta = TinyRuns.maxDifference(TinyRuns.weights(reference.resolve("model")), TinyRuns.weights(out.resolve("model")));
        System.out.printf("InterruptionTest (seed %d): %d processes, max |Δ| = %s%n  %s%n", seed, processes, delta,
                String.join("\n  ", history));
        assertThat(delta).as("final weights, after %s", history).isLessThanOrEqualTo(1e-6);
        assertThat(losses(out)).isEqualTo(losses(reference));
        assertThat(names(out.resolve("samples"))).isEqualTo(names(reference.resolve("samples")));
        for (String s : names(reference.resolve("samples"))) {
            assertThat(out.resolve("samples").resolve(s)).hasSameTextualContentAs(reference.resolve("samples").resolve(s));
        }
        assertThat(names(checkpoints)).as("no partial write left behind").isEqualTo(names(reference.resolve("checkpoints")));
        assertThat(out.resolve("summary.json")).exists();
        LEDGER.record("interrupted run, resumed to the end", null, "after 6 kills and " + (processes - 6) + " final "
                + "resume(s): weights equal to the uninterrupted run's (max |Δ| ≤ 1e-6), metrics log and samples identical, "
                + "no partial checkpoint left");
    }

    /** The last thing a killed process logged, to show where the kill landed. */
    static String lastLine(String logName) {
        String[] lines = log(logName).split("[\r\n]+");
        String last = lines.length == 0 ? "" : lines[lines.length - 1].strip();
        return last.isEmpty() ? " (nothing logged)" : " (last logged: " + (last.length() > 90 ? last.substring(0, 90) + "…" : last) + ")";
    }

    /** Each metrics line as split, step and loss (rounded to 1e-6): what must survive the kills unchanged. */
    static List<String> losses(Path run) throws IOException {
        List<String> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode n = json.readTree(line);
            JsonNode loss = n.has("loss") ? n.get("loss") : n.get("eval/loss");
            out.add(String.format(java.util.Locale.ROOT, "%s@%d loss %.6f", n.get("split").asText(), n.get("step").asLong(),
                    loss == null ? Double.NaN : loss.asDouble()));
        }
        return out;
    }
}
