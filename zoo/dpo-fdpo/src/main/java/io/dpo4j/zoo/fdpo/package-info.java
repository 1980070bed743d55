/**
 * The {@code fdpo} objective: f-DPO: DPO under reverse KL, forward KL, Jensen-Shannon or alpha divergences (Wang
 * et al. 2023).
 */
package io.dpo4j.zoo.fdpo;
