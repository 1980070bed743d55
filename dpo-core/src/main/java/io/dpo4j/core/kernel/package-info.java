/** The shared log-prob kernel: per-sequence response log-probs from hidden states and the lm_head, without and with gradient. */
package io.dpo4j.core.kernel;
