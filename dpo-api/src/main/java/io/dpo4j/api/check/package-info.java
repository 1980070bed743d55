/** Checking an objective by hand: the loss-case JSON format of {@code dpo loss}, its reader, and a float64 evaluator with autograd gradients. */
package io.dpo4j.api.check;
