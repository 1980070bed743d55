/** The runnable {@code dpo} distribution and the comparative benchmark harness. */
package io.dpo4j.bench;
