/** JMH benchmarks of the log-prob kernel against the naive kernel and the bare lm_head GEMMs, and the report that runs them. */
package io.dpo4j.bench.jmh;
