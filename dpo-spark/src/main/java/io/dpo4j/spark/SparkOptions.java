package io.dpo4j.spark;

import io.dpo4j.core.DpoException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** The options every Spark job shares: the master, the number of partitions, extra Spark settings. */
final class SparkOptions {

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[N] for an embedded Spark with N task slots (local[N,F]: F attempts per "
                    + "task), or a cluster's URL. Default: what spark-submit set, else local[*].")
    String master;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of the job (default: Spark's default parallelism). Partitions are whole "
                    + "batches, formed on the driver in a fixed order: the result does not depend on N.")
    Integer partitions;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting; repeatable.")
    List<String> conf = new ArrayList<>();

    private boolean created;

    /**
     * A session of the given master (or the one spark-submit configured); a session already running in
     * this JVM (an application or a test that embeds the job) is used as it is.
     */
    SparkSession session(String appName) {
        if (SparkSession.getDefaultSession().isDefined()) {
            return SparkSession.getDefaultSession().get();
        }
        created = true;
        SparkSession.Builder b = SparkSession.builder().appName(appName);
        String m = master != null ? master : System.getProperty("spark.master");
        String resolved = m != null ? m : "local[*]";
        b.master(resolved);
        b.config("spark.ui.enabled", "false");
        if (resolved.startsWith("local")) {
            // An embedded Spark talks to itself only: keep its driver and block manager on the loopback address.
            b.config("spark.driver.bindAddress", "127.0.0.1");
            b.config("spark.driver.host", "127.0.0.1");
        }
        for (String kv : conf) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new DpoException("--conf " + kv + ": expected KEY=VALUE");
            }
            b.config(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return b.getOrCreate();
    }

    /** Stops the session if this job started it. */
    void stop(SparkSession session) {
        if (session != null && created) {
            session.stop();
        }
    }

    /** The partitions to use for {@code items} work items. */
    int partitions(SparkSession spark, int items) {
        if (partitions != null && partitions < 1) {
            throw new DpoException("--partitions " + partitions + ": expected at least 1");
        }
        int n = partitions != null ? partitions : spark.sparkContext().defaultParallelism();
        return Math.max(1, Math.min(n, Math.max(1, items)));
    }
}
