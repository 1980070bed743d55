/** The {@code rdpo} objective: r-DPO: DPO with a length regulariser in the margin (Park et al. 2024). */
package io.dpo4j.zoo.rdpo;
