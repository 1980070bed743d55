package io.dpo4j.cli;

import io.dpo4j.api.InvalidHyperparametersException;
import io.dpo4j.api.check.LossCaseFormatException;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.registry.NoObjectivesException;
import io.dpo4j.core.registry.PluginPathException;
import io.dpo4j.core.registry.UnknownObjectiveException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * Entry point of the {@code dpo} command line. Errors a user can fix print one clear line (or a short
 * list) on standard error and exit with 1; usage errors exit with 2; anything unexpected exits with
 * 70 and asks for {@code --verbose}, which prints stack traces.
 */
public final class DpoCli {

    /** Exit code of an error the user can fix (bad input, configuration or file). */
    public static final int USER_ERROR = 1;
    /** Exit code of a command-line usage error. */
    public static final int USAGE_ERROR = 2;
    /** Exit code of an unexpected internal error. */
    public static final int INTERNAL_ERROR = 70;

    private DpoCli() {
    }

    /** Sets the process-wide properties every run needs: offline DJL, no tracking. */
    public static void configureEnvironment() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    }

    /** The {@code dpo} command line writing to the given streams, with the core subcommands. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, Object... extraSubcommands) {
        DpoCommand root = new DpoCommand();
        CommandLine cl = new CommandLine(root);
        for (Object sub : extraSubcommands) {
            cl.addSubcommand(sub);
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> report(ex, root.verbose(), cmd.getErr()));
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter e = ex.getCommandLine().getErr();
            e.println("error: " + ex.getMessage());
            e.println("(see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            e.flush();
            return USAGE_ERROR;
        });
        return cl;
    }

    /** Prints an exception the way the command line reports errors and returns the exit code. */
    public static int report(Exception ex, boolean verbose, PrintWriter err) {
        boolean userError = isUserError(ex);
        String message = ex.getMessage() == null ? ex.getClass().getName() : ex.getMessage();
        if (userError) {
            err.println("error: " + message);
        } else {
            err.println("internal error: " + ex.getClass().getName() + ": " + message);
            if (!verbose) {
                err.println("(run again with --verbose for the stack trace; please report it)");
            }
        }
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return userError ? USER_ERROR : INTERNAL_ERROR;
    }

    private static boolean isUserError(Exception ex) {
        return ex instanceof DpoException || ex instanceof InvalidHyperparametersException
                || ex instanceof UnknownObjectiveException || ex instanceof LossCaseFormatException
                || ex instanceof NoObjectivesException || ex instanceof PluginPathException;
    }

    /** Runs the command line with standard streams and returns the exit code. */
    public static int run(CommandLine cl, String... args) {
        return cl.execute(args);
    }

    /** {@code dpo …}. */
    public static void main(String[] args) {
        configureEnvironment();
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        io.dpo4j.core.train.ProgressBar.setTerminal(err);
        int code = run(commandLine(out, err), args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
