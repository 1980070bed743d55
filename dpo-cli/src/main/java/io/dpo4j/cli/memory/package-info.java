/** The real-scale memory benchmark: DPO steps on random-weight models of real shapes, peak memory against the plan. */
package io.dpo4j.cli.memory;
