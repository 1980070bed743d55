package io.dpo4j.cli;

import io.dpo4j.api.InvalidHyperparametersException;
import io.dpo4j.api.check.LossCaseFormatException;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.ResourceFailures;
import io.dpo4j.core.registry.NoObjectivesException;
import io.dpo4j.core.registry.PluginPathException;
import io.dpo4j.core.registry.UnknownObjectiveException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import picocli.CommandLine;

/**
 * Entry point of the {@code dpo} command line. Errors a user can fix print one clear line (or a short
 * list) on standard error and exit with 1 — as do resource failures (out of memory, no space left,
 * a read-only file system, permission denied: one line naming the path or the limit, see {@link
 * ResourceFailures}); usage errors exit with 2; anything unexpected exits with 70 and asks for
 * {@code --verbose}, which prints stack traces.
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
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> report(ex, root.verbose(), cmd.getErr(),
                cmd.getCommandName()));
        CommandLine.IExecutionStrategy strategy = cl.getExecutionStrategy();
        cl.setExecutionStrategy(parseResult -> {
            try {
                return strategy.execute(parseResult);
            } catch (OutOfMemoryError | StackOverflowError e) {
                CommandLine last = parseResult.asCommandLineList().get(parseResult.asCommandLineList().size() - 1);
                return reportError(e, root.verbose(), last.getErr(), last.getCommandName());
            }
        });
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
        return report(ex, verbose, err, "dpo");
    }

    /**
     * As above for a subcommand: a resource failure (out of memory, no space left, a read-only file
     * system, permission denied) is one line naming the path or the limit, with exit 1.
     */
    static int report(Exception ex, boolean verbose, PrintWriter err, String command) {
        Optional<String> resource = ResourceFailures.describe(ex);
        if (resource.isPresent() && !(ex instanceof DpoException)) {
            return reportResource(ex, resource.get(), verbose, err, command);
        }
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

    /** An error (not an exception) that escaped a command: out of memory, or a stack overflow. */
    static int reportError(Error e, boolean verbose, PrintWriter err, String command) {
        if (e instanceof StackOverflowError) {
            err.println("error: the input nests too deeply (stack overflow); raise the stack with DPO_JAVA_OPTS=-Xss16m "
                    + "or simplify the input");
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return USER_ERROR;
        }
        return reportResource(e, ResourceFailures.describe(e).orElse("out of memory"), verbose, err, command);
    }

    private static int reportResource(Throwable e, String line, boolean verbose, PrintWriter err, String command) {
        String hint = "train".equals(command) ? "; checkpoints already sealed are intact: fix it and continue with --resume"
                : "";
        err.println("error: " + line + hint);
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return USER_ERROR;
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
