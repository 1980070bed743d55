/**
 * The {@code apo_down} objective: aPO-down: lower the chosen likelihood while raising the margin, for chosen
 * responses worse than the model's (D'Oosterlinck et al. 2024).
 */
package io.dpo4j.zoo.apodown;
