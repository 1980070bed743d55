package io.dpo4j.spark;

import io.dpo4j.core.DpoException;

/**
 * A failed Spark job as the command line reports errors: one line on the driver — the cause a task
 * reported (a {@link DpoException}'s message as it is), not an executor's stack trace.
 */
final class SparkFailures {

    private SparkFailures() {
    }

    /** The one-line error of a job that failed. */
    static DpoException describe(String job, Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof DpoException d) {
                return new DpoException(job + ": " + d.getMessage(), t);
            }
        }
        String message = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
        // A task's DpoException that reached the driver only as text in Spark's message.
        String marker = DpoException.class.getName() + ": ";
        int at = message.indexOf(marker);
        if (at >= 0) {
            String cause = message.substring(at + marker.length()).lines().findFirst().orElse("").strip();
            return new DpoException(job + ": " + cause, t);
        }
        // "Job aborted due to stage failure: Task 0 in stage 1.0 failed 4 times, most recent failure: Lost task …: X: msg\n\tat …"
        String first = message.lines().findFirst().orElse(message);
        return new DpoException(job + ": the Spark job failed: " + first.strip(), t);
    }
}
