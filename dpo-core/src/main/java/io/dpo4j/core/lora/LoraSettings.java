package io.dpo4j.core.lora;

import java.util.Objects;

/**
 * A LoRA adapter's hyperparameters, as PEFT's {@code LoraConfig} names them: every adapted layer computes
 * {@code W·x + scale · B·A·dropout(x)} with {@code A} ({@code r × in}) and {@code B} ({@code out × r}).
 *
 * @param r the rank, at least 1
 * @param alpha {@code lora_alpha}: the scale is {@code alpha / r}, or {@code alpha / √r} with rsLoRA
 * @param dropout {@code lora_dropout}, in {@code [0, 1)}: applied to the adapter's input in training only
 * @param targetModules the adapted layers
 * @param useRslora rank-stabilised scaling (Kalajdzievski 2023): {@code alpha / √r}
 */
public record LoraSettings(int r, double alpha, double dropout, TargetModules targetModules, boolean useRslora) {

    /** Checks the ranges; messages name PEFT's field. */
    public LoraSettings {
        Objects.requireNonNull(targetModules, "targetModules");
        if (r < 1) {
            throw new IllegalArgumentException("r: " + r + ": expected a rank of at least 1");
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("lora_alpha: " + alpha + ": expected a positive number");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("lora_dropout: " + dropout + ": expected a number in [0, 1)");
        }
    }

    /** PEFT's defaults: r 8, alpha 8, no dropout, {@code [q_proj, v_proj]}, plain scaling. */
    public static LoraSettings defaults() {
        return new LoraSettings(8, 8, 0, TargetModules.defaults(), false);
    }

    /** The factor on {@code B·A}: {@code alpha / r}, or {@code alpha / √r} with rsLoRA. */
    public double scale() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    /** These settings with another rank. */
    public LoraSettings withR(int value) {
        return new LoraSettings(value, alpha, dropout, targetModules, useRslora);
    }

    /** These settings with another alpha. */
    public LoraSettings withAlpha(double value) {
        return new LoraSettings(r, value, dropout, targetModules, useRslora);
    }

    /** These settings with another dropout. */
    public LoraSettings withDropout(double value) {
        return new LoraSettings(r, alpha, value, targetModules, useRslora);
    }

    /** These settings with other target modules. */
    public LoraSettings withTargetModules(TargetModules value) {
        return new LoraSettings(r, alpha, dropout, value, useRslora);
    }

    /** These settings with rsLoRA on or off. */
    public LoraSettings withRslora(boolean value) {
        return new LoraSettings(r, alpha, dropout, targetModules, value);
    }
}
