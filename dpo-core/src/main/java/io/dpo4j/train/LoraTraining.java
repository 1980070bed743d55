package io.dpo4j.train;

import io.dpo4j.core.lora.LoraSettings;
import java.nio.file.Path;
import java.util.Objects;

/**
 * LoRA instead of full fine-tuning ({@link PreferenceTraining.Builder#lora}): adapters on the policy's
 * projections train, the base stays frozen; checkpoints hold the adapter only (PEFT format) and the
 * result is the adapter, with the merged full model on request.
 *
 * @param settings rank, alpha, dropout, target modules, rsLoRA
 * @param startFrom a PEFT adapter folder to start from, or null for a fresh adapter (B = 0, seeded by the run's seed)
 * @param halfPrecisionBase hold the frozen base in FLOAT16 (half the memory; the adapters stay FLOAT32)
 * @param adaptersOffReference score the reference live as the policy with its adapters off (no reference pass
 *     and no cache file); false: the usual reference stage
 * @param saveAdapterTo where the trained adapter is written at the end (PEFT layout), or null
 * @param merge also write the merged full model to {@link PreferenceTraining.Builder#saveModelTo}
 */
public record LoraTraining(LoraSettings settings, Path startFrom, boolean halfPrecisionBase,
        boolean adaptersOffReference, Path saveAdapterTo, boolean merge) {

    public LoraTraining {
        Objects.requireNonNull(settings, "settings");
    }

    /** A fresh adapter with these settings, FLOAT32 base, the usual reference stage, nothing saved. */
    public static LoraTraining of(LoraSettings settings) {
        return new LoraTraining(settings, null, false, false, null, false);
    }
}
