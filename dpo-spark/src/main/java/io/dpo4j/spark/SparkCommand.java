package io.dpo4j.spark;

import io.dpo4j.cli.DpoCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code dpo spark}: the jobs that run on Apache Spark — {@code score} (the reference cache of a
 * training configuration) and {@code evaluate} (implicit rewards, margins and accuracy of a policy over
 * an evaluation set). Registered into {@code dpo} by name when this module and Spark are on the class
 * path (see {@code docs/scaling.md}).
 */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = "Jobs on Apache Spark: score (the reference statistics dpo train reuses) and evaluate "
                + "(per-row implicit rewards, margins and accuracy). --master local[2] runs an embedded Spark.",
        subcommands = {SparkScoreCommand.class, SparkEvaluateCommand.class})
public final class SparkCommand implements Runnable {

    @ParentCommand
    DpoCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The root command (plugins, registry, --verbose). */
    DpoCommand root() {
        return root;
    }
}
