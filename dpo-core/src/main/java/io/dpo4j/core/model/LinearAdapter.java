package io.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.Set;

/**
 * Trainable terms added to some of a {@link LlamaModel}'s linear layers (LoRA is the implementation
 * this project ships): for a module such as {@code model.layers.3.self_attn.q_proj}, the layer computes
 * {@code x·Wᵀ + b + delta(module, x)}. While an adapter is attached the base weights are frozen and only
 * {@link #parameters()} train.
 */
public interface LinearAdapter {

    /** The adapted modules by Hugging Face module name (the weight's name without {@code .weight}). */
    Set<String> modules();

    /**
     * The term added to {@code module}'s output for input {@code x} ({@code …×in}), attached to x's
     * manager; {@code training} turns on any dropout.
     */
    NDArray delta(String module, NDArray x, boolean training);

    /** True when {@link #delta} draws random numbers in training (dropout), so recomputation must reseed. */
    boolean random();

    /** The trainable arrays by name, in a stable order: what the optimizer updates and a checkpoint saves. */
    Map<String, NDArray> parameters();
}
