package io.dpo4j.spark;

import org.apache.spark.TaskContext;

/**
 * A test hook: the first attempt of one partition fails, as a task lost with its executor would, so
 * that a test sees Spark retry it. Set by the Spark setting {@value #PARTITION} (a partition index);
 * unset, nothing happens.
 */
final class TaskFaults {

    /** The Spark setting naming the partition whose first attempt fails. */
    static final String PARTITION = "spark.dpo4j.test.failFirstAttemptOfPartition";

    private static final java.util.concurrent.atomic.AtomicInteger INJECTED = new java.util.concurrent.atomic.AtomicInteger();

    private TaskFaults() {
    }

    /** How many failures this JVM injected (tests, in local mode where tasks run in the driver's JVM). */
    static int injected() {
        return INJECTED.get();
    }

    /** The configured partition of a session (its runtime configuration, which includes the Spark settings). */
    static String partition(org.apache.spark.sql.SparkSession spark) {
        return spark.conf().get(PARTITION, null);
    }

    /** Throws in the first attempt of the configured partition. */
    static void maybeFail(String partition) {
        TaskContext task = TaskContext.get();
        if (partition == null || task == null) {
            return;
        }
        if (task.partitionId() == Integer.parseInt(partition.trim()) && task.attemptNumber() == 0) {
            INJECTED.incrementAndGet();
            throw new IllegalStateException("injected failure of the first attempt of partition " + partition
                    + " (" + PARTITION + ")");
        }
    }
}
