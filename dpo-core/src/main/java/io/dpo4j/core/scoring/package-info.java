/** Per-token response log-probabilities of tokenised rows under a model (what dpo score prints). */
package io.dpo4j.core.scoring;
