/** Llama-family decoder language models on DJL: configuration, parameters, forward pass, checkpoints and a tiny-model factory. */
package io.dpo4j.core.model;
