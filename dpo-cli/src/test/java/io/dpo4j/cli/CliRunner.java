package io.dpo4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the full {@code dpo} command line in-process and captures its output and exit code. */
final class CliRunner {

    /** What one invocation produced. */
    record Result(int exitCode, String out, String err) {
    }

    private CliRunner() {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DpoMain.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
