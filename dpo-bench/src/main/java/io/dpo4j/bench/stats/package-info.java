/** Statistics of benchmark results: paired t-intervals over seeds, isotonic fits of KL paths, best-of-N. */
package io.dpo4j.bench.stats;
