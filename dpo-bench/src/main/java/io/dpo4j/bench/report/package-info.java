/** Benchmark reports: self-contained HTML with charts, JSON and CSV results, and the terminal summary. */
package io.dpo4j.bench.report;
