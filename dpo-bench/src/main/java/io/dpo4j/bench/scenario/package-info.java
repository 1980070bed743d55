/** Benchmark scenarios: each tests one paper's central claim and returns a verdict with its numbers. */
package io.dpo4j.bench.scenario;
