package io.dpo4j.cli;

import io.dpo4j.cli.DpoCli;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Entry point of the distribution: the core {@code dpo} command line with every built-in objective. */
public final class DpoMain {

    private DpoMain() {
    }

    /**
     * The full command line (core commands plus those of this module, and {@code spark}: the dpo-spark
     * module's command when it and Spark are on the class path, else a line saying how to get them).
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return DpoCli.commandLine(out, err, new BenchCommand(), new ReportCommand(), new io.dpo4j.cli.memory.MemoryBenchCommand(),
                new io.dpo4j.cli.step.StepBenchCommand(), SparkUnavailableCommand.resolve());
    }

    /** {@code dpo …}. */
    public static void main(String[] args) {
        DpoCli.configureEnvironment();
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        io.dpo4j.core.train.ProgressBar.setTerminal(err);
        int code = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
