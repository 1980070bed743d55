/** Statistics of benchmark results: bootstrap confidence intervals and rank tests between objectives. */
package io.dpo4j.bench.stats;
