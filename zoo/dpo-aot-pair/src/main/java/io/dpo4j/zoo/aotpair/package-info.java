/**
 * The {@code aot_pair} objective: aOT, unpaired (TRL's aot_unpaired): sorted chosen and rejected log-ratios
 * matched quantile by quantile (Melnyk et al. 2024).
 */
package io.dpo4j.zoo.aotpair;
