/** The built-in controlled-sentiment language: a word-level review grammar, its lexicon reward, tokenizer and data sets. */
package io.dpo4j.core.synthetic;
