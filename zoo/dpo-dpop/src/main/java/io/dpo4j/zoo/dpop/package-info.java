/**
 * The {@code dpop} objective: dPO-Positive (Smaug): DPO with a penalty when the chosen likelihood falls below
 * the reference (Pal et al. 2024).
 */
package io.dpo4j.zoo.dpop;
