package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.core.reliability.FaultLedger;
import io.dpo4j.core.train.CheckpointStore;
import io.dpo4j.cli.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A corrupt or partial newest checkpoint, met by an actual {@code dpo train --resume}: the manifest
 * check rejects it (saying why), the previous checkpoint is used, and the run ends with exactly the
 * weights, metrics and samples of a run that was never interrupted.
 */
@Tag("slow")
@DisplayName("Damaged checkpoints: --resume detects a corrupt or partial newest checkpoint and continues from the previous one, losing nothing")
class CheckpointRecoveryTest {

    static final FaultLedger LEDGER = new FaultLedger("checkpoints", "CheckpointRecoveryTest (dpo-cli)");

    static Path dir;
    static Path config;
    static Map<String, float[]> whole;

    /** What happens to the checkpoints of an interrupted copy of the whole run (whose newest is step 3). */
    enum Damage {
        BIT_FLIP("flipped byte in the weights", "the newest checkpoint (step 3 of 4) with a byte in the middle of model/model.safetensors changed",
                "model/model.safetensors does not match its checksum"),
        TRUNCATED("truncated optimizer state", "the newest checkpoint with optimizer.safetensors cut to half its length",
                "optimizer.safetensors does not match its checksum"),
        EMPTIED("emptied file", "the newest checkpoint with model/config.json emptied", "model/config.json does not match its checksum"),
        MISSING_FILE("missing file", "the newest checkpoint without trainer_state.json", "missing trainer_state.json"),
        UNSEALED("unsealed checkpoint", "the newest checkpoint without MANIFEST.sha256, as a write that never finished would leave it",
                "no MANIFEST.sha256: the write did not finish"),
        GARBLED_MANIFEST("garbled manifest", "the newest checkpoint with MANIFEST.sha256 overwritten with garbage", "malformed manifest line"),
        PARTIAL_WRITE("leftover partial write", "a .partial-step-4-* folder with a cut file beside an intact step 3, as a "
                + "write killed midway leaves it", null),
        ALL_DAMAGED("every checkpoint damaged", "a changed byte in the weights of every checkpoint (steps 1 to 3)",
                "does not match its checksum");

        final String name;
        final String description;
        final String reason;

        Damage(String name, String description, String reason) {
            this.name = name;
            this.description = description;
            this.reason = reason;
        }
    }

    @BeforeAll
    static void wholeRun() throws Exception {
        dir = Files.createTempDirectory("dpo4j-checkpoint-recovery");
        // The tiny run, shorter and with a checkpoint at every step (overridden with --set in train()).
        config = TinyRuns.config(dir, "");
        CliRunner.Result r = train(dir.resolve("whole"), false);
        assertThat(r.exitCode()).as(r.err()).isZero();
        whole = TinyRuns.weights(dir.resolve("whole/model"));
        for (Damage d : Damage.values()) {
            LEDGER.declare(d.name, d.description + ", met by dpo train --resume");
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        CheckpointStore.deleteTree(dir);
        LEDGER.publish();
    }

    static CliRunner.Result train(Path out, boolean resume) {
        List<String> args = new ArrayList<>(List.of("train", config.toString(), "--out", out.toString(), "--cache",
                TinyRuns.sharedCache().toString(), "--set", "max_steps=4", "--set", "checkpoint_every=1", "--set",
                "eval_every=2", "--set", "keep_checkpoints=5"));
        if (resume) {
            args.add("--resume");
        }
        return CliRunner.run(args.toArray(String[]::new));
    }

    /** A copy of the whole run as a crash after step 3's checkpoint would leave it. */
    static Path interruptedCopy(String name) throws IOException {
        Path from = dir.resolve("whole");
        Path to = dir.resolve(name);
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        Path resolved = to.resolve(RunFolder.RESOLVED);
        Files.writeString(resolved, Files.readString(resolved).replace(from.toString(), to.toString()));
        CheckpointStore.deleteTree(to.resolve("model"));
        Files.delete(to.resolve("summary.json"));
        CheckpointStore.deleteTree(to.resolve("checkpoints/step-00000004"));
        return to;
    }

    static void flipByte(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(file, bytes);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Damage.class)
    @DisplayName("the damaged newest checkpoint is reported and skipped; the run ends as if never interrupted")
    void resumeDespite(Damage damage) throws Exception {
        Path run = interruptedCopy(damage.name().toLowerCase(java.util.Locale.ROOT));
        Path three = run.resolve("checkpoints/step-00000003");
        Path two = run.resolve("checkpoints/step-00000002");
        switch (damage) {
            case BIT_FLIP -> flipByte(three.resolve("model/model.safetensors"));
            case TRUNCATED -> {
                byte[] b = Files.readAllBytes(three.resolve("optimizer.safetensors"));
                Files.write(three.resolve("optimizer.safetensors"), java.util.Arrays.copyOf(b, b.length / 2));
            }
            case EMPTIED -> Files.writeString(three.resolve("model/config.json"), "");
            case MISSING_FILE -> Files.delete(three.resolve("trainer_state.json"));
            case UNSEALED -> Files.delete(three.resolve(CheckpointStore.MANIFEST));
            case GARBLED_MANIFEST -> Files.writeString(three.resolve(CheckpointStore.MANIFEST), "garbage\n");
            case PARTIAL_WRITE -> {
                Path partial = Files.createDirectories(run.resolve("checkpoints/.partial-step-4-12345/model"));
                Files.write(partial.resolve("model.safetensors"), new byte[] {1, 2, 3});
            }
            case ALL_DAMAGED -> {
                try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
                    for (Path c : s.toList()) {
                        flipByte(c.resolve("model/model.safetensors"));
                    }
                }
            }
        }
        CliRunner.Result r = train(run, true);
        assertThat(r.exitCode()).as(r.err()).isZero();
        if (damage.reason != null) {
            assertThat(r.err()).contains("warning: checkpoint " + three + " is unusable (").contains(damage.reason)
                    .contains("); trying an older one");
        }
        if (damage == Damage.ALL_DAMAGED) {
            assertThat(r.err()).contains("resume: no usable checkpoint in " + run.resolve("checkpoints")
                    + "; starting from the beginning");
        } else {
            Path from = damage == Damage.PARTIAL_WRITE ? three : two;
            assertThat(r.err()).contains("resume: continuing from " + from);
        }
        double delta = TinyRuns.maxDifference(whole, TinyRuns.weights(run.resolve("model")));
        assertThat(delta).isLessThanOrEqualTo(1e-6);
        assertThat(NumericFaultsTest.splitSteps(run.resolve("metrics.jsonl")))
                .isEqualTo(NumericFaultsTest.splitSteps(dir.resolve("whole/metrics.jsonl")));
        for (String sample : TinyRuns.list(dir.resolve("whole/samples"))) {
            assertThat(run.resolve("samples").resolve(sample)).hasSameTextualContentAs(dir.resolve("whole/samples").resolve(sample));
        }
        List<String> left = TinyRuns.list(run.resolve("checkpoints"));
        assertThat(left).as("no partial or discarded folder is left").allMatch(n -> n.startsWith("step-"));
        for (String n : left) {
            if (n.compareTo("step-00000003") > 0 || damage == Damage.PARTIAL_WRITE) {
                assertThat(CheckpointStore.verify(run.resolve("checkpoints").resolve(n))).as(n).isEmpty();
            }
        }
        LEDGER.record(damage.name, null, damage == Damage.ALL_DAMAGED
                ? "all rejected with their reason; --resume started over and reached the uninterrupted weights"
                : damage.reason == null ? "ignored and cleaned up; --resume continued from step 3 and reached the "
                        + "uninterrupted weights" : "rejected with its reason; --resume continued from step 2 and reached "
                                + "the uninterrupted weights (max |Δ| ≤ 1e-6), metrics and samples identical");
    }
}
