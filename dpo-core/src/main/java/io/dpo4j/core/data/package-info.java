/** Preference data for training: loading rows from JSONL or JSON files, chat templates, tokenisation with truncation, splits, fingerprints, padded batches and a resumable sampler. */
package io.dpo4j.core.data;
