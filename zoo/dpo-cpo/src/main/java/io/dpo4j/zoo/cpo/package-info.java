/**
 * The {@code cpo} objective: cPO: reference-free contrastive preference loss plus the chosen responses' NLL (Xu
 * et al. 2024).
 */
package io.dpo4j.zoo.cpo;
