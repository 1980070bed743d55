package io.dpo4j.bench.jmh;

import ai.djl.ndarray.NDArray;
import io.dpo4j.bench.PeakMemory;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.dpo4j.core.kernel.EagerGradient;
import io.dpo4j.core.kernel.KernelForward;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.kernel.LogProbInput;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.kernel.SinglePassLogProbKernel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training-mode kernel call (forward, then backward with a fixed sequence gradient, inside a
 * {@link GradientCollector}, with H and W requiring gradient) per invocation, for
 *
 * <ul>
 *   <li>{@code naive}: {@link io.dpo4j.core.kernel.NaiveLogProbKernel};
 *   <li>{@code chunked}: {@link io.dpo4j.core.kernel.ChunkedLogProbKernel} with {@link #budgetBytes};
 *   <li>{@code single-pass}: {@link SinglePassLogProbKernel} with {@link #budgetBytes} as its tile budget,
 *       the rows taken as pairs {@code [chosen; rejected]}, the fixed g handed over as each pair's
 *       eager gradient (what a row-local objective gives), so no sequence is recomputed;
 *   <li>{@code gemm}: the lower bound, the three lm_head GEMMs alone: {@code Z = H·Wᵀ},
 *       {@code ∂H = G·W}, {@code ∂W = Gᵀ·H} with a precomputed G.
 * </ul>
 *
 * Each JMH fork also records its peak native memory, as the growth of the process's peak resident
 * set over the resident set before: (1) of the first full-size call, run untimed at the end of setup
 * after a tiny call has made the engine's code resident (it includes creating the gradient buffers
 * of H and W), and (2) of the measured calls (the steady state of a training loop). Both go to
 * {@code $dpo4j.kernel.report.dir/<shape>_<variant>.rss} (or stdout when the property is unset).
 * It also records the process CPU time per measured call (all threads), a figure less disturbed
 * than wall time when other processes share the CPU. Single-shot mode: each measured iteration is
 * one call; the untimed first call is the warm-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-Dai.djl.offline=true",
        "-Dai.djl.pytorch.num_threads=2", "-Dai.djl.pytorch.num_interop_threads=1"})
public class KernelBenchmark {

    /** Where each fork writes its peak memory; set by {@link KernelReport}. */
    public static final String REPORT_DIR_PROPERTY = "dpo4j.kernel.report.dir";

    @Param({"small", "smollm2-135m", "qwen2.5-0.5b"})
    public String shape;

    @Param({"naive", "chunked", "single_pass", "gemm"})
    public String variant;

    /** The chunked kernel's logits budget. */
    @Param({"33554432"})
    public long budgetBytes;

    private NDManager manager;
    private NDArray hidden;
    private NDArray weight;
    private NDArray labels;
    private NDArray mask;
    private NDArray sequenceGradient;
    private NDArray logitGradient;
    private LogProbKernel kernel;
    /** The single-pass variant's objective gradient: pairs [chosen rows; rejected rows], the fixed g. */
    private EagerGradient eager;
    private long baselineBytes;
    private long firstCallGrowth;
    private boolean peakReset;
    private long cpuBefore;
    private long cpuTotal;
    private int calls;

    @Setup(Level.Trial)
    public void setUp() {
        KernelShape s = KernelShape.fromId(shape);
        manager = NDManager.newBaseManager();
        hidden = manager.randomNormal(0, 1, new Shape(s.rows(), s.length(), s.hidden()), DataType.FLOAT32);
        weight = manager.randomNormal(0, (float) (1 / Math.sqrt(s.hidden())), new Shape(s.vocabulary(), s.hidden()),
                DataType.FLOAT32);
        labels = manager.randomInteger(0, s.vocabulary(), new Shape(s.rows(), s.length()), DataType.INT64);
        mask = manager.ones(new Shape(s.rows(), s.length()));
        sequenceGradient = manager.randomNormal(0, 1, new Shape(s.rows()), DataType.FLOAT32);
        if ("gemm".equals(variant)) {
            logitGradient = manager.randomNormal(0, 1e-3f, new Shape(s.tokens(), s.vocabulary()), DataType.FLOAT32);
        } else {
            kernel = KernelType.fromId(variant).create(budgetBytes);
            if (kernel instanceof SinglePassLogProbKernel) {
                NDArray g = sequenceGradient;
                eager = EagerGradient.pairs(s.rows() / 2, p -> {
                    NDArray copy = g.duplicate();
                    copy.attach(p.getManager());
                    return copy;
                });
            }
            hidden.setRequiresGradient(true);
            weight.setRequiresGradient(true);
        }
        warmUpNativeCode();
        // The first full-size call, untimed: its peak includes creating W's and H's gradient buffers.
        PeakMemory.resetPeak();
        long beforeFirst = PeakMemory.residentBytes();
        trainingCall();
        firstCallGrowth = PeakMemory.peakBytes() - beforeFirst;
        // Later calls: the steady state of a training loop.
        peakReset = PeakMemory.resetPeak();
        baselineBytes = PeakMemory.residentBytes();
    }

    /**
     * One call of the same variant on a tiny batch, so that the engine's code pages and thread pools
     * are resident before the peak is reset and the measured growth is the call's own arrays.
     */
    private void warmUpNativeCode() {
        try (NDManager tiny = manager.newSubManager()) {
            NDArray h = tiny.randomNormal(new Shape(2, 8, 16));
            NDArray w = tiny.randomNormal(new Shape(64, 16));
            h.setRequiresGradient(true);
            w.setRequiresGradient(true);
            NDArray l = tiny.randomInteger(0, 64, new Shape(2, 8), DataType.INT64);
            if (kernel == null) {
                h.reshape(16, 16).matMul(w.transpose()).matMul(w).transpose().matMul(h.reshape(16, 16));
                return;
            }
            try (GradientCollector collector = tiny.getEngine().newGradientCollector()) {
                kernel.forward(LogProbInput.of(tiny, h, w, l, tiny.ones(new Shape(2, 8))), collector,
                        eager == null ? null : EagerGradient.pairs(1, p -> p.onesLike())).backward(tiny.ones(new Shape(2)));
            }
        }
    }

    /** Process CPU time (all threads, native ones included) is less disturbed by other load than wall time. */
    @Setup(Level.Invocation)
    public void startCpuClock() {
        cpuBefore = processCpuNanos();
    }

    @TearDown(Level.Invocation)
    public void stopCpuClock() {
        cpuTotal += processCpuNanos() - cpuBefore;
        calls++;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    @Benchmark
    public void trainingCall() {
        try (NDManager step = manager.newSubManager()) {
            if (kernel == null) {
                gemms(step);
                return;
            }
            try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                KernelForward forward = kernel.forward(LogProbInput.of(step, hidden, weight, labels, mask), collector,
                        eager);
                forward.backward(sequenceGradient);
            }
        }
    }

    private void gemms(NDManager step) {
        KernelShape s = KernelShape.fromId(shape);
        NDArray rows = hidden.reshape(s.tokens(), s.hidden());
        rows.attach(step);
        NDArray transposed = weight.transpose();
        transposed.attach(step);
        NDArray g = logitGradient.get(step, new NDIndex(":"));
        rows.matMul(transposed).close();
        g.matMul(weight).close();
        g.transpose().matMul(rows).close();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        long growth = peakReset ? PeakMemory.peakBytes() - baselineBytes : -1;
        long cpuPerCall = calls == 0 ? -1 : cpuTotal / calls;
        String line = String.format(Locale.ROOT, "%d %d %d %d%n", firstCallGrowth, growth, baselineBytes, cpuPerCall);
        String dir = System.getProperty(REPORT_DIR_PROPERTY);
        if (dir == null) {
            System.out.printf(Locale.ROOT, "%n%s %s: peak native memory growth %.1f MiB (first call), %.1f MiB (later calls)%n",
                    shape, variant, firstCallGrowth / 1048576.0, growth / 1048576.0);
        } else {
            Files.writeString(Path.of(dir, shape + "_" + variant + ".rss"), line, StandardCharsets.US_ASCII);
        }
        manager.close();
    }
}
