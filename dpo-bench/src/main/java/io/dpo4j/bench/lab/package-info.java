/** The miniature DPO-paper protocol on the built-in language: a warmed-up reference, sampled preference data, training runs and their reward–KL measurements. */
package io.dpo4j.bench.lab;
