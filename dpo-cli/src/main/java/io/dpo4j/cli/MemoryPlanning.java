package io.dpo4j.cli;

import io.dpo4j.core.DpoException;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.lora.TargetModules;
import io.dpo4j.core.memory.AvailableMemory;
import io.dpo4j.core.memory.DataLengths;
import io.dpo4j.core.memory.MemoryPlan;
import io.dpo4j.core.memory.PlanInput;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.data.TruncationSettings;
import java.io.PrintWriter;
import java.util.List;
import java.util.OptionalLong;

/**
 * The trainer's use of the memory plan: activation checkpointing resolved (auto: from
 * {@link #AUTO_CHECKPOINTING_PARAMETERS}); in preflight (before anything exists) a run whose model state
 * alone — weights, gradients, AdamW's moments — cannot fit is refused; once the data is tokenised (before
 * the model is loaded) the plan at the lengths the batches will have ({@link DataLengths}: the longest
 * sequence, not {@code max_length}) is printed, a run that cannot fit is refused with its message, and the
 * reference pass's batch is sized so it neither exceeds the training step's peak nor the memory available.
 */
final class MemoryPlanning {

    /** Under {@code activation_checkpointing: auto}, models of this many parameters and more checkpoint. */
    static final long AUTO_CHECKPOINTING_PARAMETERS = 100_000_000L;

    private static final List<String> PROJECTIONS = List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
            "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj");

    private MemoryPlanning() {
    }

    /** True when the run checkpoints activations. */
    static boolean checkpointing(TrainConfig config, long parameters) {
        return switch (config.memory().activationCheckpointing()) {
            case TRUE -> true;
            case FALSE -> false;
            case AUTO -> parameters >= AUTO_CHECKPOINTING_PARAMETERS;
        };
    }

    /** The plan's input for this run at {@code max_length} (the reference batch filled in later). */
    static PlanInput input(TrainConfig config, TruncationSettings lengths, LlamaConfig model, boolean checkpointing,
            int referenceRows) {
        int tokens = lengths.maxLength();
        return input(config, model, checkpointing, referenceRows, tokens, Math.max(1, Math.min(tokens - 1,
                lengths.maxResponseLength())));
    }

    /** The plan's input for this run at the tokenised data's lengths. */
    static PlanInput input(TrainConfig config, LlamaConfig model, boolean checkpointing, int referenceRows,
            DataLengths data) {
        return input(config, model, checkpointing, referenceRows, data.longestSequence(), data.longestResponse())
                .withEvaluationRows(data.evaluationRows());
    }

    private static PlanInput input(TrainConfig config, LlamaConfig model, boolean checkpointing, int referenceRows,
            int tokens, int response) {
        int sequences = 2 * config.training().batchSize();
        int rank = 0;
        int modules = 0;
        if (config.lora().enabled()) {
            rank = config.lora().r();
            TargetModules targets = config.loraSettings().targetModules();
            modules = (int) PROJECTIONS.stream().filter(p -> targets.matches("model.layers.0." + p)).count();
        }
        return new PlanInput(model, sequences, tokens, response, rank, modules, config.lora().enabled()
                && config.lora().dropout() > 0, checkpointing, config.lora().enabled()
                && config.lora().frozenDtype() == TrainConfig.FrozenDtype.FLOAT16, referenceRows,
                (long) config.kernel().memoryBudgetMb() << 20);
    }

    /**
     * The reference pass's rows per batch: the most (up to 64) whose pass stays within the training step's
     * estimate and the available memory.
     */
    static int referenceRows(PlanInput in, OptionalLong available) {
        long trainingPeak = MemoryPlan.of(in.withSequences(in.sequences(), 0)).trainingBytes();
        long limit = available.isPresent() ? Math.min(Math.max(trainingPeak, 0), available.getAsLong()) : trainingPeak;
        for (int rows = 64; rows > 1; rows /= 2) {
            if (MemoryPlan.of(in.withSequences(in.sequences(), rows)).referenceBytes() <= limit) {
                return rows;
            }
        }
        return 1;
    }

    /**
     * Preflight, before the data is tokenised: refuses (with the plan at {@code max_length}) a run whose
     * length-independent terms — runtime, weights, gradients, AdamW's moments — alone exceed the memory
     * available; no data can make it fit. Anything else waits for the data's lengths ({@link #check}).
     *
     * @throws DpoException with the plan's refusal
     */
    static void checkState(TrainConfig config, TruncationSettings lengths, LlamaConfig model, boolean checkpointing,
            boolean reference, PrintWriter log) {
        OptionalLong available = AvailableMemory.bytes();
        if (available.isEmpty() || !config.memory().check()) {
            return;
        }
        PlanInput in = input(config, lengths, model, checkpointing, 1);
        MemoryPlan plan = MemoryPlan.of(in.withSequences(in.sequences(), reference ? 1 : 0));
        if (plan.stateBytes() > available.getAsLong()) {
            report(plan, available, config, log);
        }
    }

    /**
     * Once the data is tokenised: prints the plan at the lengths the batches will have and refuses a run
     * that does not fit (unless {@code memory.check} is false).
     *
     * @return the plan
     * @throws DpoException with the plan's refusal
     */
    static MemoryPlan check(TrainConfig config, LlamaConfig model, boolean checkpointing, boolean reference,
            DataLengths data, PrintWriter log) {
        OptionalLong available = AvailableMemory.bytes();
        PlanInput in = input(config, model, checkpointing, 1, data);
        in = in.withSequences(in.sequences(), reference ? referenceRows(in, available) : 0);
        MemoryPlan plan = MemoryPlan.of(in);
        report(plan, available, config, log);
        return plan;
    }

    private static void report(MemoryPlan plan, OptionalLong available, TrainConfig config, PrintWriter log) {
        plan.describe().forEach(log::println);
        if (available.isPresent()) {
            log.println("  available: " + MemoryPlan.gib(available.getAsLong()));
            if (config.memory().check()) {
                plan.refusal(available.getAsLong()).ifPresent(message -> {
                    throw new DpoException(message + " (memory.check: false runs it anyway)");
                });
            }
        }
        log.flush();
    }
}
