/** The memory plan: a run's peak resident memory estimated before anything is loaded, and checked against what the machine has. */
package io.dpo4j.core.memory;
