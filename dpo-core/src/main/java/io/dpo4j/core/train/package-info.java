/** The training loop's parts: optimizer, clipping, schedule, checkpoints, metrics, diagnostics and progress. */
package io.dpo4j.core.train;
