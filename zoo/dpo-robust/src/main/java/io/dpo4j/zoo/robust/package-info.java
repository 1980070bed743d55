/**
 * The {@code robust} objective: provably robust DPO: unbiased under label flips with probability ε (Chowdhury et
 * al. 2024).
 */
package io.dpo4j.zoo.robust;
