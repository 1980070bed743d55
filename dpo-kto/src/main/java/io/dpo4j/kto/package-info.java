/** The {@code kto} objective: Kahneman–Tversky optimisation from unpaired desirable/undesirable feedback. */
package io.dpo4j.kto;
