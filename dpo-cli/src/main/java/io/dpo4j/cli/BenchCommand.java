package io.dpo4j.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.bench.lab.CellRunner;
import io.dpo4j.bench.lab.WorkerPool;
import io.dpo4j.bench.report.HtmlReport;
import io.dpo4j.bench.report.Provenance;
import io.dpo4j.bench.report.ResultFiles;
import io.dpo4j.bench.report.TextTable;
import io.dpo4j.bench.scenario.BenchContext;
import io.dpo4j.bench.scenario.ScenarioReport;
import io.dpo4j.bench.scenario.Table;
import io.dpo4j.core.DpoException;
import io.dpo4j.cli.DpoCommand;
import io.dpo4j.cli.config.ConfigFiles;
import io.dpo4j.core.train.ProgressBar;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dpo bench}: runs a suite of scenarios — each a paper's central claim — over objectives,
 * hyperparameters and seeds, and writes an HTML report with plots, JSON and CSV results and a
 * terminal summary with verdicts.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run the comparative benchmark suite: each scenario tests a paper's claim (reproduced or "
                + "not, with the numbers) and the report shows plots, tables, confidence intervals and costs.")
public final class BenchCommand implements Callable<Integer> {

    @ParentCommand
    DpoCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--profile", defaultValue = "quick", paramLabel = "NAME",
            description = "Built-in suite: quick (default, about 6 min on 2 cores), full (the complete sweep) or zoo "
                    + "(the reward–KL frontier over the whole objective family).")
    String profile;

    @Option(names = "--suite", paramLabel = "FILE", description = "A suite file (YAML) instead of a built-in profile.")
    Path suiteFile;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Report folder (default: runs/bench-PROFILE).")
    Path out;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a suite key, e.g. --set seeds=[1,2].")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        ObjectNode tree = loadSuite();
        ConfigFiles.applyOverrides(tree, overrides);
        SuiteSpec suite = SuiteSpec.read(suiteFile == null ? profile + " profile" : suiteFile.toString(), tree,
                root.registry());
        Path folder = out != null ? out : Path.of("runs", "bench-" + suite.name());
        Files.createDirectories(folder);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        Map<String, String> provenance = Provenance.collect("dpo " + String.join(" ", spec.commandLine()
                .getParseResult().originalArgs()));
        provenance.put("suite", suite.name());
        provenance.put("seeds", suite.seeds().toString());
        List<ScenarioReport> reports = new ArrayList<>();
        long start = System.nanoTime();
        provenance.put("parallel", suite.parallel() + " training runs at a time (each single-threaded)");
        provenance.put("sweep seeds", suite.sweepSeeds() == 0 ? "all" : Integer.toString(suite.sweepSeeds()));
        provenance.put("load average before", loadAverage());
        // One run at a time in this process, or one per worker process (DJL allows one gradient
        // collector per process); this process's own jobs (labs, best-of-N) run on its executor.
        boolean local = suite.parallel() == 1 || suite.lab() == null;
        ExecutorService jobs = Executors.newFixedThreadPool(local ? 1 : suite.parallel(), r -> {
            Thread t = new Thread(r, "bench-job");
            t.setDaemon(true);
            return t;
        });
        CellRunner cells = local ? CellRunner.local(jobs) : new WorkerPool(suite.parallel(), folder,
                root.pluginPaths());
        try (NDManager manager = NDManager.newBaseManager();
                ProgressBar bar = new ProgressBar(err, "bench", suite.scenarios().size())) {
            BenchContext ctx = new BenchContext(root.registry(), folder, suite.full(), suite.seeds(), err, manager,
                    jobs, suite.parallel(), suite.sweepSeeds(), cells);
            if (!local) {
                // The workers warm up every seed's π_ref (each its share) while the first scenarios start.
                suite.seeds().forEach(seed -> cells.prepare(suite.lab(), seed));
            }
            // The tabular scenario trains in this process while the workers train the language models.
            Map<String, java.util.concurrent.CompletableFuture<ScenarioReport>> aside = new java.util.HashMap<>();
            if (!local) {
                for (SuiteSpec.ScenarioSpec s : suite.scenarios()) {
                    if (s.id().equals("deterministic_preferences")) {
                        aside.put(s.id(), java.util.concurrent.CompletableFuture.supplyAsync(() -> runSafely(s, ctx,
                                err), runnable -> {
                                    Thread t = new Thread(runnable, "bench-tabular");
                                    t.setDaemon(true);
                                    t.start();
                                }));
                    }
                }
            }
            int done = 0;
            for (SuiteSpec.ScenarioSpec s : suite.scenarios()) {
                bar.update(done, "scenario " + s.id());
                bar.println("== " + s.id());
                reports.add(aside.containsKey(s.id()) ? null : runSafely(s, ctx, err));
                bar.update(++done, "scenario " + s.id() + " done");
            }
            for (int i = 0; i < reports.size(); i++) {
                if (reports.get(i) == null) {
                    reports.set(i, aside.get(suite.scenarios().get(i).id()).join());
                }
            }
        } finally {
            double workers = cells.externalCpuSeconds();
            if (workers > 0) {
                provenance.put("worker processes' CPU time", ProgressBar.clock(workers));
            }
            cells.close();
            jobs.shutdownNow();
        }
        provenance.put("wall time", ProgressBar.clock((System.nanoTime() - start) / 1e9));
        provenance.put("process CPU time", processCpu());
        provenance.put("load average after", loadAverage());
        Table summary = summary(reports);
        HtmlReport.write(folder, "dpo4j benchmark — " + suite.name(), provenance, List.of(summary), reports);
        ResultFiles.write(folder, provenance, ConfigFiles.yaml().convertValue(tree, Map.class), reports);
        stdout.println();
        stdout.print(TextTable.plain(summary));
        stdout.println();
        stdout.println("report: " + folder.resolve("report.html") + "   results: " + folder.resolve("results.json")
                + ", " + folder.resolve("results.csv"));
        stdout.flush();
        return 0;
    }

    private ObjectNode loadSuite() throws IOException {
        if (suiteFile != null) {
            return ConfigFiles.load(suiteFile);
        }
        String name = profile.toLowerCase(Locale.ROOT);
        try (InputStream in = BenchCommand.class.getResourceAsStream("suites/" + name + ".yaml")) {
            if (in == null) {
                throw new DpoException("--profile " + profile + ": unknown profile; known: quick, full, zoo");
            }
            return ConfigFiles.parse(name + " profile", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** A scenario that fails is reported (inconclusive, with the error) and the suite goes on. */
    private ScenarioReport runSafely(SuiteSpec.ScenarioSpec s, BenchContext ctx, PrintWriter err) {
        long start = System.nanoTime();
        try {
            return s.runner().apply(ctx);
        } catch (RuntimeException e) {
            err.println("error: scenario " + s.id() + " failed: " + e.getMessage());
            if (root.verbose()) {
                e.printStackTrace(err);
            }
            return ScenarioReport.failed(s.id(), e.getMessage(), (System.nanoTime() - start) / 1e9);
        }
    }

    /** The JVM's CPU time so far (all threads), or "unknown". */
    static String processCpu() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os && os.getProcessCpuTime() >= 0) {
            return ProgressBar.clock(os.getProcessCpuTime() / 1e9);
        }
        return "unknown";
    }

    /** The 1-minute load average, or "unknown". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " (1 min), " + f[1] + " (5 min), " + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static Table summary(List<ScenarioReport> reports) {
        List<List<String>> rows = new ArrayList<>();
        for (ScenarioReport r : reports) {
            rows.add(List.of(r.title(), r.verdict().label(), r.reason(),
                    String.format(Locale.ROOT, "%.0f s", r.seconds())));
        }
        return new Table("Summary", List.of("scenario", "verdict", "numbers", "time"), rows);
    }


}
