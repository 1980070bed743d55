/**
 * The {@code exo_pair} objective: eXO, pairwise: reverse KL from the model's preference to the smoothed label
 * (Ji et al. 2024).
 */
package io.dpo4j.zoo.exopair;
