/** The {@code ipo} objective: identity preference optimisation. */
package io.dpo4j.ipo;
