/** The {@code simpo} objective: simple, reference-free, length-normalised preference optimisation. */
package io.dpo4j.simpo;
