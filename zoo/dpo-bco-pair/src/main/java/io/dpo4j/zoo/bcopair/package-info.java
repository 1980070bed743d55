/**
 * The {@code bco_pair} objective: bCO, pairwise: binary classifier of chosen vs rejected rewards, shifted by the
 * batch mean (Jung et al. 2024).
 */
package io.dpo4j.zoo.bcopair;
