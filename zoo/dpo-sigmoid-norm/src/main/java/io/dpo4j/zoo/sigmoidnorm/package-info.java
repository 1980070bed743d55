/**
 * The {@code sigmoid_norm} objective: dPO on per-token log-ratios, normalised by response length as SimPO does
 * (TRL sigmoid_norm).
 */
package io.dpo4j.zoo.sigmoidnorm;
