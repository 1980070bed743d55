package io.dpo4j.cli;

import io.dpo4j.core.DpoException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code dpo spark} when the {@code dpo-spark} module or Spark is not on the class path: one line that
 * says how to run it. The real command lives in {@code dpo-spark} (so that no other command needs Spark).
 */
@Command(name = "spark", description = "Reference scoring and evaluation on Apache Spark (needs the dpo-spark module: "
        + "run it as ./dpo spark …, or with spark-submit; see docs/scaling.md).")
final class SparkUnavailableCommand implements Callable<Integer> {

    /** The class of the real command, looked up by name (dpo-cli does not depend on dpo-spark). */
    static final String REAL_COMMAND = "io.dpo4j.spark.SparkCommand";

    @Unmatched
    List<String> ignored = new ArrayList<>();

    @Override
    public Integer call() {
        throw new DpoException("dpo spark needs the dpo-spark module and Apache Spark on the class path: run it as "
                + "./dpo spark … (the launcher adds both) or submit dpo-spark/target/dpo-spark.jar with spark-submit "
                + "(see docs/scaling.md)");
    }

    /** The real {@code spark} command when its module and Spark are on the class path, else this one. */
    static Object resolve() {
        try {
            Class<?> real = Class.forName(REAL_COMMAND, true, SparkUnavailableCommand.class.getClassLoader());
            Class.forName("org.apache.spark.sql.SparkSession", false, SparkUnavailableCommand.class.getClassLoader());
            return real.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return new SparkUnavailableCommand();
        }
    }
}
