package io.dpo4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.core.DpoException;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.data.BatchArrays;
import io.dpo4j.core.kernel.LogProbInput;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.lora.LoraAdapter;
import io.dpo4j.core.lora.LoraMerge;
import io.dpo4j.core.lora.PeftAdapterFiles;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.train.SequenceScorer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * What a LoRA run does differently from full fine-tuning, kept out of the training loop: the adapter
 * attached to the policy (fresh with B = 0, a PEFT adapter to start from, or a checkpoint's on resume),
 * the frozen base's dtype, checkpoints and the final output holding only the adapter (PEFT format, plus
 * the merged model on request), and the reference computed live with the adapters switched off.
 */
final class LoraRun {

    /** The adapter's folder inside a checkpoint and inside the run folder. */
    static final String ADAPTER = "adapter";

    private final TrainConfig config;
    private final PrintWriter log;

    LoraRun(TrainConfig config, PrintWriter log) {
        this.config = config;
        this.log = log;
    }

    static boolean enabled(TrainConfig config) {
        return config.lora().enabled();
    }

    /** True when the reference log-probs are scored live by the policy with its adapters off. */
    static boolean liveReference(TrainConfig config) {
        return enabled(config) && config.lora().reference() == TrainConfig.LoraReference.ADAPTERS_OFF;
    }

    /**
     * Attaches the adapter: the checkpoint's when resuming from {@code checkpoint} (not null), else the
     * configured PEFT adapter, else a fresh one seeded by the run's seed.
     */
    void attach(LlamaModel policy, Path checkpoint) {
        LoraAdapter adapter;
        if (checkpoint != null) {
            adapter = PeftAdapterFiles.load(checkpoint.resolve(ADAPTER), policy);
        } else if (config.lora().adapter() != null) {
            Path folder = Path.of(config.lora().adapter());
            adapter = PeftAdapterFiles.load(folder, policy);
            log.println("lora: starting from the adapter " + folder + " (r " + adapter.settings().r() + ", "
                    + adapter.modules().size() + " layers)");
        } else {
            try {
                adapter = LoraAdapter.create(policy, config.loraSettings(), config.seed());
            } catch (DpoException e) {
                throw new DpoException("lora.target_modules: " + e.getMessage());
            }
        }
        policy.attachAdapter(adapter);
        if (config.lora().frozenDtype() == TrainConfig.FrozenDtype.FLOAT16) {
            policy.holdFrozenWeightsAs(DataType.FLOAT16);
        }
        log.printf(java.util.Locale.ROOT, "lora: r %d, alpha %s, %d adapted layers, %,d trainable of %,d parameters "
                + "(%.2f%%); frozen base in %s%n", adapter.settings().r(), adapter.settings().alpha(),
                adapter.modules().size(), adapter.size(), policy.config().parameterCount(),
                100.0 * adapter.size() / policy.config().parameterCount(),
                config.lora().frozenDtype().name().toLowerCase(java.util.Locale.ROOT));
    }

    /** Writes the adapter in PEFT format into {@code folder}/adapter. */
    static void saveAdapter(LlamaModel policy, Path folder, Path base) throws IOException {
        LoraAdapter adapter = (LoraAdapter) policy.adapter().orElseThrow();
        PeftAdapterFiles.save(adapter, folder.resolve(ADAPTER), base.toAbsolutePath().toString());
    }

    /** The final output: the adapter, and the merged model when configured; returns what the summary names. */
    Path saveFinal(LlamaModel policy, Path out, Path base) throws IOException {
        saveAdapter(policy, out, base);
        if (config.lora().merge()) {
            LoraMerge.mergeLive(policy, base, out.resolve("model"));
            log.println("lora: wrote the adapter to " + out.resolve(ADAPTER) + " and the merged model to "
                    + out.resolve("model"));
            return out.resolve("model");
        }
        log.println("lora: wrote the adapter to " + out.resolve(ADAPTER) + " (dpo merge --model " + base + " --adapter "
                + out.resolve(ADAPTER) + " --out DIR writes full weights)");
        return out.resolve(ADAPTER);
    }

    /**
     * The reference log-probs of a batch: the policy with its adapters switched off is exactly the base
     * model. No gradient is recorded (call outside the collector).
     */
    static double[] liveReference(LlamaModel policy, LogProbKernel kernel, BatchArrays arrays, NDManager step) {
        policy.setAdapterEnabled(false);
        try {
            NDArray h = SequenceScorer.hidden(policy, arrays, step);
            return ObjectiveMath.toDoubles(kernel.statistics(LogProbInput.of(step, h, policy.lmHeadWeight(),
                    arrays.labels(), arrays.responseMask())).logProbs());
        } finally {
            policy.setAdapterEnabled(true);
        }
    }
}
