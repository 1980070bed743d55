/**
 * The {@code hinge} objective: hinge loss on the DPO margin, zero once β·h ≥ 1 (RSO, Liu et al. 2023; SLiC-HF,
 * Zhao et al. 2023).
 */
package io.dpo4j.zoo.hinge;
