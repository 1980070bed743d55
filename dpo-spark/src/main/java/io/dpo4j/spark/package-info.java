/** Reference scoring and evaluation on Apache Spark: the driver prepares and validates, executors score. */
package io.dpo4j.spark;
