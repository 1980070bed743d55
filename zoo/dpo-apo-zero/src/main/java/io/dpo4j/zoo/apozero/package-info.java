/**
 * The {@code apo_zero} objective: aPO-zero: raise chosen and lower rejected likelihoods, for chosen responses
 * better than the model's (D'Oosterlinck et al. 2024).
 */
package io.dpo4j.zoo.apozero;
