package io.dpo4j.core.memory;

import io.dpo4j.core.model.LlamaConfig;

/**
 * What a memory plan is computed from: the architecture (from {@code config.json}, nothing loaded) and
 * the run's settings.
 *
 * @param model the architecture
 * @param sequences sequences per micro-batch in the training step (2 per preference pair)
 * @param tokens tokens per sequence (the longest, {@code max_length} at most)
 * @param responseTokens response tokens per sequence (what meets the vocabulary in the log-prob kernel)
 * @param loraRank 0 for full fine-tuning, else the LoRA rank
 * @param loraModulesPerLayer how many of a layer's seven projections carry an adapter
 * @param loraDropout true when LoRA dropout is on (each adapted input keeps a masked copy)
 * @param checkpointing activation checkpointing per decoder layer
 * @param halfFrozen the frozen base's decoder matrices held in FLOAT16 (LoRA only)
 * @param referenceRows sequences per batch of the no-grad reference pass, 0 when no pass runs
 * @param kernelBudgetBytes the log-prob kernel's logits budget
 * @param evaluationRows sequences per batch of the held-out evaluation's no-grad pass (run beside the model's
 *     state), 0 when there is none
 */
public record PlanInput(LlamaConfig model, int sequences, int tokens, int responseTokens, int loraRank,
        int loraModulesPerLayer, boolean loraDropout, boolean checkpointing, boolean halfFrozen, int referenceRows,
        long kernelBudgetBytes, int evaluationRows) {

    /** Checks the numbers. */
    public PlanInput {
        if (sequences < 1 || tokens < 1 || responseTokens < 1 || responseTokens > tokens || loraRank < 0
                || loraModulesPerLayer < 0 || loraModulesPerLayer > 7 || referenceRows < 0 || kernelBudgetBytes < 1
                || evaluationRows < 0) {
            throw new IllegalArgumentException("invalid plan input " + thisToString(sequences, tokens, responseTokens,
                    loraRank, loraModulesPerLayer, referenceRows));
        }
    }

    /** A plan without a held-out evaluation. */
    public PlanInput(LlamaConfig model, int sequences, int tokens, int responseTokens, int loraRank,
            int loraModulesPerLayer, boolean loraDropout, boolean checkpointing, boolean halfFrozen, int referenceRows,
            long kernelBudgetBytes) {
        this(model, sequences, tokens, responseTokens, loraRank, loraModulesPerLayer, loraDropout, checkpointing,
                halfFrozen, referenceRows, kernelBudgetBytes, 0);
    }

    /** With a held-out evaluation of {@code rows} sequences a batch. */
    public PlanInput withEvaluationRows(int rows) {
        return new PlanInput(model, sequences, tokens, responseTokens, loraRank, loraModulesPerLayer, loraDropout,
                checkpointing, halfFrozen, referenceRows, kernelBudgetBytes, rows);
    }

    private static String thisToString(int s, int t, int r, int rank, int modules, int ref) {
        return "sequences " + s + ", tokens " + t + ", response tokens " + r + ", rank " + rank + ", modules " + modules
                + ", reference rows " + ref;
    }

    /** True for a LoRA run. */
    public boolean lora() {
        return loraRank > 0;
    }

    /** With or without checkpointing. */
    public PlanInput withCheckpointing(boolean value) {
        return new PlanInput(model, sequences, tokens, responseTokens, loraRank, loraModulesPerLayer, loraDropout, value,
                halfFrozen, referenceRows, kernelBudgetBytes, evaluationRows);
    }

    /** Another micro-batch size (sequences) and reference batch. */
    public PlanInput withSequences(int value, int reference) {
        return new PlanInput(model, value, tokens, responseTokens, loraRank, loraModulesPerLayer, loraDropout,
                checkpointing, halfFrozen, reference, kernelBudgetBytes, evaluationRows);
    }

    /** Another sequence length (the response share kept). */
    public PlanInput withTokens(int value) {
        int response = Math.max(1, (int) ((long) responseTokens * value / tokens));
        return new PlanInput(model, sequences, value, response, loraRank, loraModulesPerLayer, loraDropout,
                checkpointing, halfFrozen, referenceRows, kernelBudgetBytes, evaluationRows);
    }

    /** LoRA of the given rank on every projection (what the refusal proposes). */
    public PlanInput withLora(int rank, int modules) {
        return new PlanInput(model, sequences, tokens, responseTokens, rank, modules, loraDropout, checkpointing,
                halfFrozen, referenceRows, kernelBudgetBytes, evaluationRows);
    }
}
