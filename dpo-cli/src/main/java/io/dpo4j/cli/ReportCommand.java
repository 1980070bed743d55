package io.dpo4j.cli;

import io.dpo4j.bench.report.RunReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dpo report RUN_FOLDER}: renders one training run's {@code report.html} (the curves of its
 * metrics log, its held-out metrics, diagnostics, samples and configuration) with the benchmark's
 * report machinery. {@code dpo train} writes the same report at the end of every run.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write report.html for a training run folder: loss, accuracy, margin, chosen and rejected "
                + "log-ratios, sampled length and true reward curves, held-out metrics and diagnostics.")
public final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_FOLDER", description = "A dpo train run folder (holds metrics.jsonl).")
    Path run;

    @Override
    public Integer call() throws Exception {
        Path out = RunReport.write(run);
        spec.commandLine().getOut().println("report: " + out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
