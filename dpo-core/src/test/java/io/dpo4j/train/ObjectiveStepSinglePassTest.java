package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.Hyperparameters;
import io.dpo4j.api.ObjectiveRequirements;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.kernel.ChunkedLogProbKernel;
import io.dpo4j.core.kernel.EagerGradient;
import io.dpo4j.core.kernel.KernelForward;
import io.dpo4j.core.kernel.LogProbInput;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.kernel.SequenceLogProbs;
import io.dpo4j.core.kernel.SinglePassLogProbKernel;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.ModelFixtures;
import io.dpo4j.core.model.TinyModels;
import io.dpo4j.core.objective.DpoObjective;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The training step's backward half with the single-pass kernel: a row-local objective goes through
 * the single pass (every sequence's gradient formed while its logits were in memory) and gives the
 * parameters the gradients, loss and metrics of the two-pass chunked kernel; an objective that does
 * not declare a row-local gradient, or is batch-coupled, stays on the two-pass path.
 */
@DisplayName("The training step uses the single pass exactly when the objective declares a row-local gradient")
class ObjectiveStepSinglePassTest {

    private static final LlamaConfig CONFIG = LlamaConfig.builder().vocabSize(29).hiddenSize(16).intermediateSize(24)
            .numLayers(1).numHeads(2).numKeyValueHeads(1).build();

    private static final List<TokenizedPair> PAIRS = List.of(
            new TokenizedPair("a", "test", TokenIds.of(3, 4, 5), TokenIds.of(6, 7, 8, 9, 2), TokenIds.of(10, 2), false),
            new TokenizedPair("b", "test", TokenIds.of(11, 12), TokenIds.of(13, 2), TokenIds.of(14, 15, 16, 2), false),
            new TokenizedPair("c", "test", TokenIds.of(17), TokenIds.of(18, 19, 2), TokenIds.of(20, 21, 22, 23, 24, 2),
                    false));

    /** Records what the step handed to the kernel and the forward it got back. */
    private static final class Spy implements LogProbKernel {
        final LogProbKernel inner;
        boolean eagerGiven;
        KernelForward forward;

        Spy(LogProbKernel inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public SequenceLogProbs statistics(LogProbInput input) {
            return inner.statistics(input);
        }

        @Override
        public KernelForward forward(LogProbInput input, GradientCollector collector) {
            return forward(input, collector, null);
        }

        @Override
        public KernelForward forward(LogProbInput input, GradientCollector collector, EagerGradient eager) {
            eagerGiven = eager != null;
            forward = inner.forward(input, collector, eager);
            return forward;
        }
    }

    private record Step(ObjectiveStep.Measured measured, Map<String, float[]> gradients, boolean eagerGiven,
            int eagerSequences) {
    }

    private static Step run(ConfiguredObjective objective, LogProbKernel kernel) {
        Spy spy = new Spy(kernel);
        try (NDManager root = NDManager.newBaseManager(); LlamaModel model = TinyModels.randomInit(CONFIG, 5)) {
            ModelFixtures.randomize(model, 6);
            model.trainableParameters().values().forEach(p -> p.setRequiresGradient(true));
            ObjectiveStep step = new ObjectiveStep(objective, spy, null, 0);
            ObjectiveStep.Measured measured = step.train(model, StepBatch.paired(PAIRS), 0.5, root);
            Map<String, float[]> gradients = new LinkedHashMap<>();
            model.trainableParameters().forEach((name, p) -> {
                NDArray g = p.getGradient();
                gradients.put(name, g.toFloatArray());
                g.close();
            });
            return new Step(measured, gradients, spy.eagerGiven, spy.forward.eagerSequences());
        }
    }

    private static void assertSameStep(Step actual, Step expected) {
        assertThat(actual.measured().loss()).isCloseTo(expected.measured().loss(),
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(actual.measured().tokens()).isEqualTo(expected.measured().tokens());
        assertThat(actual.measured().metrics().keySet()).containsExactlyElementsOf(expected.measured().metrics().keySet());
        expected.measured().metrics().forEach((k, v) -> assertThat(actual.measured().metrics().get(k)).as("metric %s", k)
                .isCloseTo(v, org.assertj.core.data.Offset.offset(1e-6 * Math.max(1, Math.abs(v)))));
        assertThat(actual.gradients().keySet()).containsExactlyElementsOf(expected.gradients().keySet());
        expected.gradients().forEach((name, e) -> {
            float[] a = actual.gradients().get(name);
            double scale = 1e-12;
            double worst = 0;
            for (int i = 0; i < e.length; i++) {
                scale = Math.max(scale, Math.abs(e[i]));
                worst = Math.max(worst, Math.abs(a[i] - e[i]));
            }
            assertThat(worst / scale).as("gradient of %s, worst difference relative to max |expected| %.3g", name, scale)
                    .isLessThanOrEqualTo(1e-5);
        });
    }

    private static final ConfiguredObjective DPO = new DpoObjective().configure(Map.of("reference_free", true,
            "beta", 0.5, "sft_weight", 0.3));

    @Test
    @DisplayName("dpo (reference-free, with its SFT term): single pass, with the two-pass step's loss, metrics and parameter gradients")
    void rowLocalObjectiveTakesTheSinglePass() {
        assertThat(DPO.rowLocalGradient()).isTrue();
        Step twoPass = run(DPO, new ChunkedLogProbKernel());
        Step single = run(DPO, new SinglePassLogProbKernel());
        Step smallChunks = run(DPO, new SinglePassLogProbKernel(32L << 20, 29L * 4 * 9));
        assertThat(twoPass.eagerGiven()).as("the step offers the eager gradient to any kernel").isTrue();
        assertThat(single.eagerSequences()).as("sequences whose gradient came from the single pass").isEqualTo(6);
        assertThat(smallChunks.eagerSequences()).as("pair c (9 tokens) fits a 9-token chunk alone").isEqualTo(6);
        assertSameStep(single, twoPass);
        assertSameStep(smallChunks, twoPass);
    }

    /** DPO as a third-party plugin would wrap it, with the given declarations. */
    private static ConfiguredObjective plugin(boolean rowLocal, boolean batchCoupled) {
        return new ConfiguredObjective() {
            @Override
            public String id() {
                return "plugin";
            }

            @Override
            public Hyperparameters parameters() {
                return DPO.parameters();
            }

            @Override
            public ObjectiveRequirements requirements() {
                return batchCoupled ? DPO.requirements().asBatchCoupled() : DPO.requirements();
            }

            @Override
            public ObjectiveResult compute(SequenceStatistics statistics) {
                return DPO.compute(statistics);
            }

            @Override
            public boolean rowLocalGradient() {
                return rowLocal;
            }
        };
    }

    @Test
    @DisplayName("a plugin that does not declare a row-local gradient, or declares batch coupling, stays on the two-pass path")
    void undeclaredOrBatchCoupledStaysTwoPass() {
        Step twoPass = run(DPO, new ChunkedLogProbKernel());
        for (ConfiguredObjective plugin : List.of(plugin(false, false), plugin(true, true), plugin(false, true))) {
            Step step = run(plugin, new SinglePassLogProbKernel());
            assertThat(step.eagerGiven()).as("an eager gradient offered to the kernel").isFalse();
            assertThat(step.eagerSequences()).isZero();
            assertSameStep(step, twoPass);
        }
    }
}
