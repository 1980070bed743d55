/** Hugging Face tokenizers (tokenizer.json through DJL's binding) with the special tokens and chat template of tokenizer_config.json. */
package io.dpo4j.core.tokenizer;
