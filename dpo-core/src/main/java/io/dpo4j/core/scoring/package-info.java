/** Response log-probabilities of preference pairs under a model: JSONL rows, tokenisation, batching and the naive full-logits computation. */
package io.dpo4j.core.scoring;
