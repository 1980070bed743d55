/**
 * The {@code discopop} objective: discoPOP: log-ratio modulated loss, a discovered blend of logistic and
 * exponential losses (Lu et al. 2024).
 */
package io.dpo4j.zoo.discopop;
