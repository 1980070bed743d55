package io.dpo4j.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Memory discipline: the kernels attach nothing to the caller's long-lived managers (the model's,
 * holding W; the data's, holding H, labels and mask). DJL puts an op's result in its first input's
 * manager, so an op like {@code W.stopGradient()} left unattended would leak one handle per call.
 * Counted with {@link NDManager#getManagedArrays()}, which includes sub-managers.
 */
@DisplayName("Kernels keep memory bounded over many calls")
class KernelMemoryTest {

    private static final int CALLS = 25;

    static Stream<LogProbKernel> kernels() {
        return Stream.of(new NaiveLogProbKernel(), new ChunkedLogProbKernel(), new ChunkedLogProbKernel(2L * 4 * 36),
                new SinglePassLogProbKernel(), new SinglePassLogProbKernel(2L * 4 * 36, 23L * 4 * 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    @DisplayName("repeated statistics and training calls do not grow the arrays attached to long-lived managers")
    void noGrowth(LogProbKernel kernel) {
        KernelBatch batch = KernelBatch.random(11, 8, 6, 23, true, new int[] {2, 6}, new int[] {0, 8}, new int[] {7, 1});
        try (NDManager root = NDManager.newBaseManager(); NDManager model = root.newSubManager();
                NDManager data = root.newSubManager()) {
            KernelBatch.Arrays arrays = batch.on(model, true);
            // H, labels and mask live in the long-lived data manager, W and the bias in the model's.
            arrays.hidden().attach(data);
            arrays.labels().attach(data);
            arrays.mask().attach(data);
            int[] after = new int[CALLS];
            int[] rootAfter = new int[CALLS];
            for (int call = 0; call < CALLS; call++) {
                try (NDManager step = root.newSubManager()) {
                    LogProbInput input = arrays.input(step);
                    kernel.statistics(input);
                    try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                        KernelForward forward = kernel.forward(input, collector);
                        forward.backward(step.ones(new Shape(3)));
                        kernel.forward(input, collector).close();
                        // The single pass (other kernels ignore the eager gradient), then with a g that
                        // differs from the eager one in row 1, so backward also recomputes.
                        EagerGradient eager = EagerGradient.rows(3, p -> p.onesLike());
                        kernel.forward(input, collector, eager).backward(step.create(new float[] {1f, 2f, 1f}));
                        kernel.forward(input, collector, eager).close();
                    }
                }
                after[call] = model.getManagedArrays().size() + data.getManagedArrays().size();
                rootAfter[call] = root.getManagedArrays().size();
            }
            assertThat(after).as("arrays in the model and data managers after each call").containsOnly(after[0]);
            assertThat(after[0]).as("W, bias, H, labels, mask").isEqualTo(5);
            assertThat(rootAfter).as("arrays anywhere under the root after each call").containsOnly(rootAfter[0]);
        }
    }
}
