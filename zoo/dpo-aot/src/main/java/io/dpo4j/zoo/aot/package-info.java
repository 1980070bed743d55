/**
 * The {@code aot} objective: aOT, paired: distributional alignment via optimal transport, sorted margins matched
 * across the batch (Melnyk et al. 2024).
 */
package io.dpo4j.zoo.aot;
