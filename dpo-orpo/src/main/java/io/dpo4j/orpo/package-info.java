/** The {@code orpo} objective: odds-ratio preference optimisation, a single stage with no reference model. */
package io.dpo4j.orpo;
