package io.dpo4j.core.lora;

import io.dpo4j.core.DpoException;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.SaveOptions;
import java.nio.file.Path;

/**
 * Merging a LoRA adapter into its base: {@code W ← W + scale · B·A} for every adapted layer, saved as a
 * full model in the Hugging Face layout and in the base checkpoint's dtype (BF16 and F16 narrowed in
 * Java with round-to-nearest-even, as loading widened them), with the base's tokenizer files.
 */
public final class LoraMerge {

    private LoraMerge() {
    }

    /**
     * Loads {@code base} and the adapter in {@code adapterFolder}, merges, and saves to {@code out}.
     *
     * @return the number of merged layers
     * @throws DpoException for an unreadable base or adapter, or an adapter that does not fit the base
     */
    public static int merge(Path base, Path adapterFolder, Path out) {
        try (LlamaModel model = HuggingFaceCheckpoint.load(base)) {
            LoraAdapter adapter = PeftAdapterFiles.load(adapterFolder, model);
            adapter.mergeInto(model);
            int layers = adapter.modules().size();
            adapter.close();
            HuggingFaceCheckpoint.save(model, out, SaveOptions.defaults().withTokenizerSource(base));
            return layers;
        }
    }

    /**
     * Merges {@code model}'s attached LoRA adapter into a fresh copy of the base loaded from {@code base}
     * (the live model is left as it is: its frozen weights may be held in FLOAT16) and saves it to {@code out}.
     */
    public static void mergeLive(LlamaModel model, Path base, Path out) {
        LoraAdapter live = model.adapter().filter(LoraAdapter.class::isInstance).map(LoraAdapter.class::cast)
                .orElseThrow(() -> new IllegalStateException("the model has no LoRA adapter to merge"));
        try (LlamaModel copy = HuggingFaceCheckpoint.load(base)) {
            for (String module : live.modules()) {
                copy.parameter(module + ".weight"); // the same architecture, checked by name
            }
            java.util.Map<String, float[]> values = new java.util.LinkedHashMap<>();
            live.parameters().forEach((k, a) -> values.put(k, a.toFloatArray()));
            LoraAdapter adapter = LoraAdapter.of(copy, live.settings(), values, "the live adapter");
            adapter.mergeInto(copy);
            adapter.close();
            HuggingFaceCheckpoint.save(copy, out, SaveOptions.defaults().withTokenizerSource(base));
        }
    }
}
