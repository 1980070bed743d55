package io.dpo4j.core.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * The Hugging Face model types this decoder implements. They share one architecture and differ only
 * in which linear layers carry a bias.
 */
public enum ModelFamily {
    /** {@code LlamaForCausalLM}: biases on q/k/v/o when {@code attention_bias}, on the MLP when {@code mlp_bias}. */
    LLAMA("llama", "LlamaForCausalLM"),
    /** {@code Qwen2ForCausalLM}: always a bias on q/k/v, never on o or the MLP. */
    QWEN2("qwen2", "Qwen2ForCausalLM");

    private final String modelType;
    private final String architecture;

    ModelFamily(String modelType, String architecture) {
        this.modelType = modelType;
        this.architecture = architecture;
    }

    /** The {@code model_type} value in {@code config.json}. */
    public String modelType() {
        return modelType;
    }

    /** The Hugging Face class name written to {@code architectures}. */
    public String architecture() {
        return architecture;
    }

    /** The family of a {@code model_type} value. */
    public static Optional<ModelFamily> fromModelType(String modelType) {
        return Arrays.stream(values()).filter(f -> f.modelType.equals(modelType)).findFirst();
    }
}
