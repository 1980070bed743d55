package io.dpo4j.cli;

import static io.dpo4j.cli.TinyRuns.assertOneLineError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.api.AbstractObjective;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.Hyperparameter;
import io.dpo4j.api.Hyperparameters;
import io.dpo4j.api.ObjectiveRequirements;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.math.Scalars;
import io.dpo4j.cli.DpoCli;
import io.dpo4j.cli.config.ConfigFiles;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.objective.DpoObjective;
import io.dpo4j.core.registry.ObjectiveRegistry;
import io.dpo4j.core.reliability.FaultLedger;
import io.dpo4j.core.train.CheckpointStore;
import io.dpo4j.cli.TrainJob;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numerical faults: a learning rate that explodes, statistics that turn non-finite (an objective
 * registered for the test that returns a NaN loss, or a NaN gradient under a finite loss, from a given
 * step on). The guard stops the run with the step and the example ids and exit status 1 before a
 * checkpoint of broken weights is written, the last good checkpoint verifies, and {@code --resume}
 * from it runs exactly up to the fault — or, once the fault is gone, to the weights of a run that
 * never had it. A large but workable learning rate is the control: the guards must stay quiet.
 */
@Tag("slow")
@DisplayName("Numerical faults: the non-finite guard stops the run, names step and examples, and keeps a good checkpoint to resume from")
class NumericFaultsTest {

    static final FaultLedger LEDGER = new FaultLedger("numeric faults", "NumericFaultsTest (dpo-cli)");
    static final Pattern STOPPED = Pattern.compile("stopped at step (\\d+): .*examples (\\[[^]]*\\])");

    @TempDir
    Path dir;

    @BeforeAll
    static void declare() {
        LEDGER.declare("NaN loss from a step on", "an objective (registered for the test) whose loss turns NaN at step 5");
        LEDGER.declare("NaN gradient under a finite loss", "an objective whose loss stays finite but whose gradient "
                + "turns NaN at step 3");
        LEDGER.declare("exploding learning rate", "optimizer.lr = 1e6 or 1e10 with max_grad_norm = 0 (no clipping)");
        LEDGER.declare("learning rate overflowing the weights", "optimizer.lr = 1e39 (infinite in float32) with "
                + "max_grad_norm = 0");
        LEDGER.declare("large but sane learning rate", "optimizer.lr = 0.1 with max_grad_norm = 0 (a control: must train)");
    }

    @AfterAll
    static void publish() {
        LEDGER.publish();
    }

    // ---- an objective that turns non-finite ---------------------------------------------------------

    enum Mode { NAN_LOSS, NAN_GRADIENT }

    /**
     * dpo, whose loss (or gradient) turns NaN from the {@code from}-th training step this instance
     * sees on (steps are counted by training calls: those made with autograd recording).
     */
    static final class Faulty extends AbstractObjective {
        private final Mode mode;
        private final int from;
        private final AtomicInteger trainingCalls = new AtomicInteger();

        Faulty(Mode mode, int from) {
            super("faulty", "dpo whose statistics turn non-finite from a given step on (a test objective)",
                    new DpoObjective().hyperparameters().toArray(Hyperparameter[]::new));
            this.mode = mode;
            this.from = from;
        }

        @Override
        public ObjectiveRequirements requirements() {
            return new DpoObjective().requirements();
        }

        @Override
        protected ConfiguredObjective create(Hyperparameters parameters) {
            ConfiguredObjective dpo = new DpoObjective().configure(parameters.asMap());
            return new ConfiguredObjective() {
                @Override
                public String id() {
                    return "faulty";
                }

                @Override
                public Hyperparameters parameters() {
                    return dpo.parameters();
                }

                @Override
                public ObjectiveRequirements requirements() {
                    return dpo.requirements();
                }

                @Override
                public ObjectiveResult compute(SequenceStatistics s) {
                    ObjectiveResult r = dpo.compute(s);
                    NDArray policy = s.get(Statistic.POLICY_CHOSEN);
                    // Training computes the loss under autograd; evaluation does not.
                    if (!JniUtils.isGradMode() || trainingCalls.incrementAndGet() < from) {
                        return r;
                    }
                    NDArray loss = switch (mode) {
                        case NAN_LOSS -> Scalars.mul(r.loss(), Double.NaN);
                        // sqrt(|x − x|): 0 forward, 0 · ∞ = NaN backward.
                        case NAN_GRADIENT -> r.loss().add(Scalars.mul(policy.sub(policy.stopGradient()).abs().sqrt().sum(),
                                1e-3));
                    };
                    return new ObjectiveResult(loss, r.metrics(), r.warnings());
                }
            };
        }
    }

    static TrainConfig config(Path out, Faulty objective, String... overrides) {
        ObjectNode tree = ConfigFiles.parse("numeric.yaml", TinyRuns.CONFIG);
        ConfigFiles.applyOverrides(tree, List.of(overrides));
        tree.put("output", out.toString());
        ((ObjectNode) tree.get("objective")).put("id", "faulty");
        return TrainConfig.read("numeric.yaml", tree, p -> ObjectiveRegistry.of(List.of(new DpoObjective(), objective)));
    }

    static TrainJob.Summary run(TrainConfig c, boolean resume, StringWriter log) throws Exception {
        return new TrainJob(c, new TrainJob.Options(resume, false, TinyRuns.sharedCache()),
                new PrintWriter(log, true)).run();
    }

    /** Runs into a fault: the exception, its message reported as the command line would (one line, exit 1). */
    static io.dpo4j.train.NonFiniteException fault(TrainConfig c, boolean resume, StringWriter log) {
        io.dpo4j.train.NonFiniteException e = catchThrowableOfType(io.dpo4j.train.NonFiniteException.class,
                () -> run(c, resume, log));
        assertThat(e).as("a NonFiniteException\n%s", log).isNotNull();
        StringWriter err = new StringWriter();
        assertThat(DpoCli.report(e, false, new PrintWriter(err, true))).isEqualTo(DpoCli.USER_ERROR);
        assertThat(err.toString().lines().toList()).singleElement().asString().startsWith("error: stopped at step ");
        return e;
    }

    static Matcher stopped(String message) {
        Matcher m = STOPPED.matcher(message);
        assertThat(m.find()).as(message).isTrue();
        return m;
    }

    static List<String> splitSteps(Path metrics) throws Exception {
        List<String> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode n = json.readTree(line);
            out.add(n.get("split").asText() + "@" + n.get("step").asLong());
        }
        return out;
    }

    @Test
    @DisplayName("a NaN loss at step 5: stopped naming step 5 and its examples; step 4's checkpoint verifies; --resume runs up "
            + "to the same fault, and without the fault ends at the weights of a run that never had it")
    void nanLoss() throws Exception {
        Path out = dir.resolve("faulty");
        StringWriter log = new StringWriter();
        io.dpo4j.train.NonFiniteException e = fault(config(out, new Faulty(Mode.NAN_LOSS, 5)), false, log);
        Matcher first = stopped(e.getMessage());
        assertThat(first.group(1)).isEqualTo("5");
        assertThat(e.getMessage()).contains("the loss is NaN").contains("The last good checkpoint is kept: "
                + out.resolve("checkpoints/step-00000004"));
        Path four = out.resolve("checkpoints/step-00000004");
        assertThat(CheckpointStore.verify(four)).isEmpty();
        assertThat(new CheckpointStore(out.resolve("checkpoints"), 2).latestValid(m -> { }).orElseThrow().step()).isEqualTo(4);
        assertThat(out.resolve("model")).doesNotExist();

        // --resume from step 4 meets the fault again at step 5, with the same examples.
        StringWriter again = new StringWriter();
        io.dpo4j.train.NonFiniteException e2 = fault(config(out, new Faulty(Mode.NAN_LOSS, 1)), true, again);
        Matcher second = stopped(e2.getMessage());
        assertThat(second.group(1)).isEqualTo("5");
        assertThat(second.group(2)).isEqualTo(first.group(2));
        assertThat(again.toString()).contains("resume: continuing from " + four + " (step 4 of 12)");
        LEDGER.record("NaN loss from a step on", null, "stopped at its step naming the examples, exit 1; the last "
                + "checkpoint verifies and --resume runs up to the same fault");

        // Without the fault, the resumed run ends exactly where a run that never had one does.
        run(config(out, new Faulty(Mode.NAN_LOSS, Integer.MAX_VALUE)), true, new StringWriter());
        Path healthy = dir.resolve("healthy");
        run(config(healthy, new Faulty(Mode.NAN_LOSS, Integer.MAX_VALUE)), false, new StringWriter());
        double delta = TinyRuns.maxDifference(TinyRuns.weights(out.resolve("model")), TinyRuns.weights(healthy.resolve("model")));
        assertThat(delta).isLessThanOrEqualTo(1e-6);
        assertThat(splitSteps(out.resolve("metrics.jsonl"))).isEqualTo(splitSteps(healthy.resolve("metrics.jsonl")));
        LEDGER.record("NaN loss from a step on", null, "fault removed: --resume ends at the weights of a run that never "
                + "had it (max |Δ| ≤ 1e-6), metrics log identical in steps");
    }

    @Test
    @DisplayName("a NaN gradient under a finite loss at step 3: stopped naming the gradient norm; step 2's checkpoint verifies")
    void nanGradient() throws Exception {
        Path out = dir.resolve("faulty");
        io.dpo4j.train.NonFiniteException e = fault(config(out, new Faulty(Mode.NAN_GRADIENT, 3)), false,
                new StringWriter());
        assertThat(stopped(e.getMessage()).group(1)).isEqualTo("3");
        assertThat(e.getMessage()).contains("the gradient norm is NaN")
                .contains("The last good checkpoint is kept: " + out.resolve("checkpoints/step-00000002"));
        assertThat(CheckpointStore.verify(out.resolve("checkpoints/step-00000002"))).isEmpty();
        assertThat(lastLoss(out)).as("the logged losses stay finite").isFinite();
        LEDGER.record("NaN gradient under a finite loss", null, "stopped at its step naming the gradient norm and the "
                + "examples, exit 1; the last checkpoint verifies");
    }

    static double lastLoss(Path out) throws Exception {
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        double loss = Double.NaN;
        for (String l : lines) {
            JsonNode n = new ObjectMapper().readTree(l);
            if (n.get("split").asText().equals("train")) {
                loss = n.get("loss").asDouble();
            }
        }
        return loss;
    }

    CliRunner.Result train(Path out, String... sets) {
        List<String> args = new ArrayList<>(List.of("train", TinyRuns.config(dir, "").toString(), "--out", out.toString(),
                "--cache", TinyRuns.sharedCache().toString(), "--set", "max_grad_norm=0", "--set", "checkpoint_every=1"));
        for (String s : sets) {
            args.add(s.equals("--resume") ? s : "--set");
            if (!s.equals("--resume")) {
                args.add(s);
            }
        }
        return CliRunner.run(args.toArray(String[]::new));
    }

    @Test
    @DisplayName("optimizer.lr = 1e6 or 1e10 without clipping: dpo train stops at step 1 — the weights diverge long before "
            + "anything turns non-finite — with exit 1, before a checkpoint of them; --resume meets the same fault")
    void explodingLearningRate() throws Exception {
        for (String lr : List.of("1e6", "1e10")) {
            Path out = dir.resolve("exploding-" + lr);
            String message = assertOneLineError(train(out, "optimizer.lr=" + lr), "stopped at step 1: one optimizer "
                    + "update grew the weights' norm ", "-fold", "the weights are diverging",
                    "No checkpoint was written before this step", "lower optimizer.lr");
            assertThat(stopped(message).group(2)).startsWith("[");
            assertThat(TinyRuns.list(out.resolve("checkpoints"))).isEmpty();
            CliRunner.Result resumed = train(out, "optimizer.lr=" + lr, "--resume");
            assertThat(assertOneLineError(resumed, "stopped at step 1")).isEqualTo(message);
            assertThat(resumed.err()).contains("resume: no usable checkpoint in " + out.resolve("checkpoints"));
            LEDGER.record("exploding learning rate", null, "stopped at step 1 by the divergence guard (the weights' norm "
                    + "grew over 10-fold in one update), naming the examples, exit 1; no checkpoint of the diverged "
                    + "weights; --resume meets the same fault");
        }
    }

    @Test
    @DisplayName("optimizer.lr = 0.1 without clipping: large, but the run converges — the guards stay quiet")
    void largeButSaneLearningRate() throws Exception {
        Path out = dir.resolve("large");
        CliRunner.Result r = train(out, "optimizer.lr=0.1", "max_steps=4", "eval_every=2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        for (float[] values : TinyRuns.weights(out.resolve("model")).values()) {
            for (float v : values) {
                assertThat(v).isFinite();
            }
        }
        LEDGER.record("large but sane learning rate", null, "no false alarm: trained to the end, exit 0");
    }

    @Test
    @DisplayName("optimizer.lr = 1e39 overflows the weights in the update: stopped at step 1, and no checkpoint with "
            + "non-finite weights is ever written")
    void weightsOverflow() throws Exception {
        Path out = dir.resolve("overflow");
        assertOneLineError(train(out, "optimizer.lr=1e39"), "stopped at step 1: the weights are not finite after the "
                + "optimizer update", "No checkpoint was written before this step");
        assertThat(TinyRuns.list(out.resolve("checkpoints"))).isEmpty();
        LEDGER.record("learning rate overflowing the weights", null, "stopped at step 1 before any checkpoint of the "
                + "broken weights was written, exit 1; the message says there is none to resume from");
    }
}
