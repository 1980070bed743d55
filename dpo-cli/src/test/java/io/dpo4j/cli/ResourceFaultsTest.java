package io.dpo4j.cli;

import static io.dpo4j.cli.TinyRuns.assertOneLineError;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.core.reliability.FaultLedger;
import io.dpo4j.core.train.CheckpointStore;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resource faults in the middle of {@code dpo train}: the checkpoint folder turns read-only, the disk
 * fills up, permission is denied (each made by the test hook {@value CheckpointStore#FAULT_PROPERTY},
 * which fails a checkpoint write as the operating system does — so that no root, mount or full disk
 * is needed), and the Java heap runs out (a child JVM with a small {@code -Xmx}). Each stops the run
 * with one line naming the path or the limit and exit 1 (never the internal-error exit 70); the last
 * good checkpoint verifies, and {@code --resume} ends with the weights of a run that never had the
 * fault.
 */
@Tag("slow")
@DisplayName("Resource faults: read-only checkpoint folder, full disk, permission denied, out of memory — one line, exit 1, nothing lost")
class ResourceFaultsTest {

    static final FaultLedger LEDGER = new FaultLedger("resource faults", "ResourceFaultsTest (dpo-bench)");

    @TempDir
    static Path dir;
    static Path config;
    static Path uninterrupted;

    @BeforeAll
    static void setUp() {
        LEDGER.declare("read-only checkpoint folder mid-run", "the checkpoint write of step 6 fails with 'Read-only file "
                + "system'");
        LEDGER.declare("no space left mid-run", "the checkpoint write of step 6 fails with 'No space left on device'");
        LEDGER.declare("permission denied mid-run", "the checkpoint write of step 6 fails with 'Permission denied'");
        LEDGER.declare("out of memory", "a JVM of 96 MiB heap asked to hold a 64 MiB row (limits raised)");
        config = TinyRuns.config(dir.resolve("cfg"), "");
        uninterrupted = dir.resolve("uninterrupted");
        CliRunner.Result r = train(uninterrupted, false);
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    @AfterAll
    static void publish() {
        LEDGER.publish();
    }

    static CliRunner.Result train(Path out, boolean resume) {
        return resume ? CliRunner.run("train", config.toString(), "--out", out.toString(), "--cache",
                TinyRuns.sharedCache().toString(), "--resume")
                : CliRunner.run("train", config.toString(), "--out", out.toString(), "--cache",
                        TinyRuns.sharedCache().toString());
    }

    void faultMidRun(String fault, String reason, String expected) throws Exception {
        Path out = dir.resolve(fault.replaceAll("[^a-z]+", "-"));
        CliRunner.Result r;
        System.setProperty(CheckpointStore.FAULT_PROPERTY, "6:" + reason);
        try {
            r = train(out, false);
        } finally {
            System.clearProperty(CheckpointStore.FAULT_PROPERTY);
        }
        assertOneLineError(r, expected + ": " + out.resolve("checkpoints").resolve("step-00000006"),
                "checkpoints already sealed are intact");
        Optional<CheckpointStore.Checkpoint> last = new CheckpointStore(out.resolve("checkpoints"), 2).latestValid(m -> { });
        assertThat(last).map(CheckpointStore.Checkpoint::step).contains(4L);
        assertThat(TinyRuns.list(out.resolve("checkpoints"))).noneMatch(n -> n.startsWith(".partial"));
        CliRunner.Result resumed = train(out, true);
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("step-00000004");
        double delta = TinyRuns.maxDifference(TinyRuns.weights(uninterrupted.resolve("model")),
                TinyRuns.weights(out.resolve("model")));
        assertThat(delta).isLessThanOrEqualTo(1e-6);
        LEDGER.record(fault, null, "one line naming the checkpoint, exit 1; step 4 verified; --resume ended with the "
                + "uninterrupted run's weights (max |Δ| ≤ 1e-6)");
    }

    @Test
    @DisplayName("the checkpoint folder turns read-only at step 6: one line naming it, exit 1, step 4 intact, --resume completes")
    void readOnly() throws Exception {
        faultMidRun("read-only checkpoint folder mid-run", "Read-only file system", "read-only file system");
    }

    @Test
    @DisplayName("the disk fills up at step 6: 'no space left on device' naming the path, exit 1 (not 70), --resume completes")
    void noSpace() throws Exception {
        faultMidRun("no space left mid-run", "No space left on device", "no space left on device");
    }

    @Test
    @DisplayName("permission denied at step 6: one line naming the path, exit 1, --resume completes")
    void permissionDenied() throws Exception {
        faultMidRun("permission denied mid-run", "Permission denied", "permission denied");
    }

    @Test
    @DisplayName("out of memory: one line naming the heap limit, exit 1, no stack trace")
    void outOfMemory() throws Exception {
        Path data = dir.resolve("huge.jsonl");
        try (OutputStream out = Files.newOutputStream(data)) {
            out.write(("{\"prompt\": \"p\", \"chosen\": \"" + "z".repeat(64 << 20) + "\", \"rejected\": \"r\"}\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        Path out = dir.resolve("oom");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-Xss4m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                "io.dpo4j.cli.DpoMain", "train", config.toString(), "--out", out.toString(), "--cache",
                TinyRuns.sharedCache().toString(), "--set", "data.train=[" + data + "]", "--set",
                "data.max_row_bytes=2000000000", "--set", "data.max_field_chars=2000000000"))
                .redirectOutput(dir.resolve("oom.out").toFile()).redirectError(dir.resolve("oom.err").toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) { // a hang guard, not a timing assertion
            p.destroyForcibly().waitFor();
            throw new AssertionError("the child hung");
        }
        String err = Files.readString(dir.resolve("oom.err"));
        assertOneLineError(new CliRunner.Result(p.exitValue(), "", err), "out of memory: the Java heap limit of",
                "DPO_JAVA_OPTS=-Xmx");
        LEDGER.record("out of memory", null, "one line naming the heap limit, exit 1, no stack trace");
    }
}
