package io.dpo4j.spark;

import io.dpo4j.cli.DpoCli;
import io.dpo4j.cli.DpoMain;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The entry point for {@code spark-submit}: {@code spark-submit --class io.dpo4j.spark.SparkMain
 * dpo-spark.jar score CONFIG …} runs {@code dpo spark score CONFIG …} (the master, executors and
 * configuration come from spark-submit).
 */
public final class SparkMain {

    private SparkMain() {
    }

    /** {@code dpo spark ARGS…}. */
    public static void main(String[] args) {
        DpoCli.configureEnvironment();
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        io.dpo4j.core.train.ProgressBar.setTerminal(err);
        String[] all = new String[args.length + 1];
        all[0] = "spark";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = DpoMain.commandLine(out, err).execute(all);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
