/**
 * The {@code sppo_hard} objective: sPPO, hard labels: squared regression of the log-ratios onto ±1/(2β) (Wu et
 * al. 2024).
 */
package io.dpo4j.zoo.sppohard;
