package io.dpo4j.bench.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link KernelBenchmark} for every chosen shape and variant (one JMH fork each, so each
 * variant's peak memory is its own) and prints the ratios measured in that run, for the chunked and
 * the single-pass kernels: time against naive and against the GEMM bound, peak memory against naive.
 *
 * <pre>
 * kernel-bench.sh [--shapes small,smollm2-135m,qwen2.5-0.5b] [--variants naive,chunked,single_pass,gemm]
 *                 [--warmup 0] [--iterations 3] [--budget BYTES] [--output report.md]
 * </pre>
 */
public final class KernelReport {

    private KernelReport() {
    }

    /** Runs the benchmarks and prints the report. */
    public static void main(String[] args) throws RunnerException, IOException {
        Map<String, String> options = parse(args);
        List<String> shapes = List.of(options.getOrDefault("shapes", "small,smollm2-135m,qwen2.5-0.5b").split(","));
        List<String> variants = List.of(options.getOrDefault("variants", "naive,chunked,single_pass,gemm").split(","));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "0"));
        int iterations = Integer.parseInt(options.getOrDefault("iterations", "3"));
        String budget = options.getOrDefault("budget", "33554432");
        shapes.forEach(KernelShape::fromId);
        Path memoryDir = Files.createTempDirectory("dpo4j-kernel-bench");

        ChainedOptionsBuilder builder = new OptionsBuilder()
                .include(KernelBenchmark.class.getName() + ".trainingCall")
                .param("shape", shapes.toArray(String[]::new))
                .param("variant", variants.toArray(String[]::new))
                .param("budgetBytes", budget)
                .warmupIterations(warmup)
                .measurementIterations(iterations)
                .forks(1)
                // Replaces @Fork's jvmArgsAppend, so it repeats them: fixed, pre-touched heap; DJL offline, 2 threads.
                .jvmArgsAppend("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-Dai.djl.offline=true",
                        "-Dai.djl.pytorch.num_threads=2", "-Dai.djl.pytorch.num_interop_threads=1",
                        "-D" + KernelBenchmark.REPORT_DIR_PROPERTY + "=" + memoryDir);
        long started = System.nanoTime();
        Collection<RunResult> results = new Runner(builder.build()).run();
        double minutes = (System.nanoTime() - started) / 60e9;

        String report = report(results, memoryDir, shapes, warmup, iterations, budget, minutes);
        System.out.println();
        System.out.println(report);
        if (options.containsKey("output")) {
            Files.writeString(Path.of(options.get("output")), report, StandardCharsets.UTF_8);
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: [--shapes a,b] [--variants naive,chunked,single_pass,gemm] [--warmup N]"
                        + " [--iterations N] [--budget BYTES] [--output FILE]; got '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    /** One variant's measurement. */
    private record Measured(double meanMs, double minMs, double maxMs, double firstPeakMiB, double peakMiB,
            double cpuMs) {
    }

    private static String report(Collection<RunResult> results, Path memoryDir, List<String> shapes, int warmup,
            int iterations, String budget, double minutes) throws IOException {
        Map<String, Measured> measured = new LinkedHashMap<>();
        for (RunResult r : results) {
            String shape = r.getParams().getParam("shape");
            String variant = r.getParams().getParam("variant");
            var stats = r.getPrimaryResult().getStatistics();
            double[] fork = forkFigures(memoryDir.resolve(shape + "_" + variant + ".rss"));
            measured.put(shape + "/" + variant, new Measured(stats.getMean(), stats.getMin(), stats.getMax(),
                    fork[0], fork[1], fork[2]));
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Log-prob kernel, one training-mode call (forward + backward), float32, CPU%n"));
        out.append(String.format(Locale.ROOT, "machine: %s%n", Machine.describe()));
        out.append(String.format(Locale.ROOT, "JMH single-shot: 1 untimed first call + %d warm-up + %d measured calls,"
                + " 1 fork per variant; chunked budget %s bytes; run took %.1f min%n%n", warmup, iterations, budget, minutes));
        out.append("| shape | variant | time per call, ms: mean (min–max) | CPU time per call, ms (2 cores)"
                + " | 3 GEMMs' FLOP / time | peak RSS growth: first call | later calls |\n");
        out.append("|---|---|---|---|---|---|---|\n");
        for (String id : shapes) {
            KernelShape shape = KernelShape.fromId(id);
            for (String variant : List.of("naive", "chunked", "single_pass", "gemm")) {
                Measured m = measured.get(id + "/" + variant);
                if (m != null) {
                    out.append(String.format(Locale.ROOT, "| %s | %s | %.0f (%.0f–%.0f) | %.0f | %.1f GFLOP/s | %.0f MiB"
                            + " | %.0f MiB |%n", shape.describe(), variant, m.meanMs, m.minMs, m.maxMs, m.cpuMs,
                            3 * shape.gemmFlop() / m.meanMs / 1e6, m.firstPeakMiB, m.peakMiB));
                }
            }
        }
        out.append("\nTime ratios: of mean wall times, [of minimum wall times], {of CPU times}; the last two are less"
                + " sensitive to other load on the machine.\n\n");
        out.append("| shape | kernel | / naive time | / GEMM-bound time | / naive peak memory: first call | later calls |\n");
        out.append("|---|---|---|---|---|---|\n");
        for (String id : shapes) {
            Measured naive = measured.get(id + "/naive");
            Measured gemm = measured.get(id + "/gemm");
            for (String variant : List.of("chunked", "single_pass")) {
                Measured m = measured.get(id + "/" + variant);
                if (m == null) {
                    continue;
                }
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n",
                        KernelShape.fromId(id).describe(), variant, ratio(m, naive), ratio(m, gemm),
                        memoryRatio(m, naive, true), memoryRatio(m, naive, false)));
            }
        }
        return out.toString();
    }

    private static String ratio(Measured a, Measured b) {
        if (a == null || b == null) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.2f× [%.2f×] {%.2f×}", a.meanMs / b.meanMs, a.minMs / b.minMs,
                a.cpuMs / b.cpuMs);
    }

    private static String memoryRatio(Measured a, Measured b, boolean firstCall) {
        if (a == null || b == null) {
            return "–";
        }
        double num = firstCall ? a.firstPeakMiB : a.peakMiB;
        double den = firstCall ? b.firstPeakMiB : b.peakMiB;
        return num < 0 || den <= 0 ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * num / den);
    }

    /** {first-call peak growth MiB, later-calls peak growth MiB, CPU ms per call}, −1 when not recorded. */
    private static double[] forkFigures(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new double[] {-1, -1, -1};
        }
        String[] fields = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
        return new double[] {Long.parseLong(fields[0]) / 1048576.0, Long.parseLong(fields[1]) / 1048576.0,
                Long.parseLong(fields[3]) / 1e6};
    }

    /** What the report says about the machine. */
    static final class Machine {
        private Machine() {
        }

        static String describe() {
            List<String> parts = new ArrayList<>();
            parts.add(firstValue(Path.of("/proc/cpuinfo"), "model name").orElse("unknown CPU"));
            parts.add(Runtime.getRuntime().availableProcessors() + " cores");
            firstValue(Path.of("/proc/meminfo"), "MemTotal").ifPresent(v -> parts.add(String.format(Locale.ROOT,
                    "%.1f GiB RAM", Long.parseLong(v.replace("kB", "").trim()) / 1048576.0)));
            parts.add("Java " + System.getProperty("java.version"));
            String thp = System.getenv("THP_MEM_ALLOC_ENABLE");
            parts.add("THP_MEM_ALLOC_ENABLE=" + (thp == null ? "unset" : thp));
            return String.join(", ", parts);
        }

        private static java.util.Optional<String> firstValue(Path file, String key) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                    if (line.startsWith(key)) {
                        return java.util.Optional.of(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            } catch (IOException | RuntimeException e) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.empty();
        }
    }
}
