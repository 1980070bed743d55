package io.dpo4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.data.TokenizedUnpaired;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.lora.LoraAdapter;
import io.dpo4j.core.lora.LoraMerge;
import io.dpo4j.core.lora.PeftAdapterFiles;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.train.BatchLayout;
import io.dpo4j.core.train.ReferenceCache;
import io.dpo4j.core.train.ScoringBatch;
import io.dpo4j.core.train.SequenceScorer;
import io.dpo4j.core.train.TrainingCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a LoRA run does differently from full fine-tuning, kept out of the training loop: the adapter
 * attached to the policy (fresh with B = 0, a PEFT adapter to start from, or a checkpoint's on resume),
 * the frozen base's dtype, the final output (the adapter, plus the merged model on request), and the
 * reference scored live with the adapters switched off.
 */
final class LoraStage {

    private LoraStage() {
    }

    /**
     * Attaches the adapter: the checkpoint's when resuming from {@code checkpoint} (not null), else the
     * given PEFT adapter, else a fresh one seeded by {@code seed}.
     */
    static void attach(LlamaModel policy, LoraTraining lora, Path checkpoint, long seed, PrintWriter log) {
        LoraAdapter adapter;
        if (checkpoint != null) {
            adapter = PeftAdapterFiles.load(checkpoint.resolve(TrainingCheckpoint.ADAPTER), policy);
        } else if (lora.startFrom() != null) {
            adapter = PeftAdapterFiles.load(lora.startFrom(), policy);
            log.println("lora: starting from the adapter " + lora.startFrom() + " (r " + adapter.settings().r() + ", "
                    + adapter.modules().size() + " layers)");
        } else {
            try {
                adapter = LoraAdapter.create(policy, lora.settings(), seed);
            } catch (DpoException e) {
                throw new DpoException("lora.target_modules: " + e.getMessage());
            }
        }
        policy.attachAdapter(adapter);
        if (lora.halfPrecisionBase()) {
            policy.holdFrozenWeightsAs(DataType.FLOAT16);
        }
        log.printf(Locale.ROOT, "lora: r %d, alpha %s, %d adapted layers, %,d trainable of %,d parameters "
                + "(%.2f%%); frozen base in %s%n", adapter.settings().r(), adapter.settings().alpha(),
                adapter.modules().size(), adapter.size(), policy.config().parameterCount(),
                100.0 * adapter.size() / policy.config().parameterCount(), lora.halfPrecisionBase() ? "float16" : "float32");
    }

    /** The final output: the adapter (when asked), and the merged model into {@code modelFolder} when configured. */
    static void saveFinal(LlamaModel policy, LoraTraining lora, Path modelFolder, Path base, PrintWriter log)
            throws IOException {
        if (lora.saveAdapterTo() != null) {
            PeftAdapterFiles.save((LoraAdapter) policy.adapter().orElseThrow(), lora.saveAdapterTo(),
                    base.toAbsolutePath().toString());
        }
        if (lora.merge() && modelFolder != null) {
            LoraMerge.mergeLive(policy, base, modelFolder);
            log.println("lora: wrote the adapter to " + lora.saveAdapterTo() + " and the merged model to " + modelFolder);
        } else if (lora.saveAdapterTo() != null) {
            log.println("lora: wrote the adapter to " + lora.saveAdapterTo() + " (dpo merge --model " + base
                    + " --adapter " + lora.saveAdapterTo() + " --out DIR writes full weights)");
        }
    }

    /**
     * The reference log-probs of a batch: the policy with its adapters switched off is exactly the base
     * model. No gradient is recorded (call outside the collector).
     */
    static double[] liveReference(LlamaModel policy, LogProbKernel kernel, ScoringBatch arrays, NDManager step) {
        policy.setAdapterEnabled(false);
        try {
            NDArray h = arrays.hidden(policy, step);
            return ObjectiveMath.toDoubles(kernel.statistics(arrays.kernelInput(step, h,
                    policy.lmHeadWeight())).logProbs());
        } finally {
            policy.setAdapterEnabled(true);
        }
    }

    /**
     * With the adapters-off reference: the validation sequences' reference log-probs, scored once by the
     * policy with its adapters off (in memory; the evaluations' margins need them).
     */
    static ReferenceCache validationReference(LlamaModel policy, PreparedData data, LogProbKernel kernel, int pad,
            int rows, BatchLayout layout, NDManager root, PrintWriter log) {
        List<TokenIds> prompts = new ArrayList<>();
        List<TokenIds> responses = new ArrayList<>();
        for (TokenizedPair p : data.validationPairs()) {
            prompts.add(p.prompt());
            responses.add(p.chosen());
            prompts.add(p.prompt());
            responses.add(p.rejected());
        }
        for (TokenizedUnpaired u : data.validationUnpaired()) {
            prompts.add(u.prompt());
            responses.add(u.completion());
        }
        ReferenceCache cache = ReferenceCache.empty();
        policy.setAdapterEnabled(false);
        policy.setTrainable(false);
        try {
            double[] values = new SequenceScorer(policy, kernel, pad, rows, layout).score(prompts, responses, root, null);
            for (int i = 0; i < values.length; i++) {
                cache.put(ReferenceCache.Key.of(prompts.get(i).toArray(), responses.get(i).toArray()), values[i]);
            }
        } finally {
            policy.setAdapterEnabled(true);
            policy.setTrainable(true);
        }
        log.println("reference: the policy with its LoRA adapters off (no reference pass; " + prompts.size()
                + " validation sequences scored in memory)");
        return cache;
    }
}
