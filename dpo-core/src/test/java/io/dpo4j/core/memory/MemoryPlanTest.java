package io.dpo4j.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.ModelFamily;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The memory plan")
class MemoryPlanTest {

    /** Qwen2.5-0.5B's architecture. */
    static final LlamaConfig QWEN = LlamaConfig.builder().family(ModelFamily.QWEN2).vocabSize(151936).hiddenSize(896)
            .intermediateSize(4864).numLayers(24).numHeads(14).numKeyValueHeads(2).headDim(64).attentionBias(true)
            .tieWordEmbeddings(true).tokenIds(null, List.of(151643), null).build();

    private static PlanInput full(boolean checkpointing) {
        return new PlanInput(QWEN, 8, 512, 384, 0, 0, false, checkpointing, false, 8, 32L << 20);
    }

    private static long term(MemoryPlan plan, String prefix) {
        return plan.trainingTerms().stream().filter(t -> t.name().startsWith(prefix)).mapToLong(MemoryPlan.Term::bytes)
                .sum();
    }

    @Test
    @DisplayName("counts parameters, gradients and AdamW's two moments exactly: 4, 4 and 8 bytes a trainable value")
    void stateTerms() {
        MemoryPlan plan = MemoryPlan.of(full(true));
        long p = QWEN.parameterCount();
        assertThat(term(plan, "parameters")).isEqualTo(4 * p);
        assertThat(term(plan, "gradients")).isEqualTo(4 * p);
        assertThat(term(plan, "AdamW")).isEqualTo(8 * p);
        MemoryPlan lora = MemoryPlan.of(full(true).withLora(16, 7));
        // r 16 on q, k, v, o, gate, up, down: (in + out)·r per projection
        long perLayer = 16L * ((896 + 896) + 2 * (896 + 128) + (896 + 896) + 2 * (896 + 4864) + (4864 + 896));
        assertThat(term(lora, "LoRA gradients")).isEqualTo(4 * 24 * perLayer);
        assertThat(term(lora, "LoRA AdamW")).isEqualTo(8 * 24 * perLayer);
    }

    @Test
    @DisplayName("checkpointing, LoRA, FLOAT16, fewer tokens each lower the estimate")
    void settingsLowerThePeak() {
        long fullPeak = MemoryPlan.of(full(false)).peakBytes();
        long ckpt = MemoryPlan.of(full(true)).peakBytes();
        long lora = MemoryPlan.of(full(true).withLora(16, 7)).peakBytes();
        PlanInput half = new PlanInput(QWEN, 8, 512, 384, 16, 7, false, true, true, 8, 32L << 20);
        assertThat(ckpt).isLessThan(fullPeak);
        assertThat(lora).isLessThan(ckpt);
        assertThat(MemoryPlan.of(half).peakBytes()).isLessThan(lora);
        assertThat(MemoryPlan.of(full(false).withTokens(256)).peakBytes()).isLessThan(fullPeak);
        assertThat(MemoryPlan.of(full(false).withSequences(2, 2)).peakBytes()).isLessThan(fullPeak);
    }

    @Test
    @DisplayName("a plan that fits gives no refusal; one that does not names its biggest terms and the settings that fit")
    void refusal() {
        MemoryPlan plan = MemoryPlan.of(full(false));
        assertThat(plan.refusal(plan.peakBytes())).isEmpty();
        long available = MemoryPlan.of(full(true)).peakBytes() + (1L << 30);
        Optional<String> message = plan.refusal(available);
        assertThat(message).isPresent();
        assertThat(message.get()).contains("needs about " + MemoryPlan.gib(plan.peakBytes()))
                .contains(MemoryPlan.gib(available) + " is available").contains("activations")
                .contains("training.activation_checkpointing: true").contains("lora:").doesNotContain("\n");
        assertThat(plan.describe().get(0)).startsWith("memory plan: peak about");
    }

    @Test
    @DisplayName("nothing fits: the message says so")
    void nothingFits() {
        assertThat(MemoryPlan.of(full(false)).refusal(1L << 20).orElseThrow()).contains("No single change");
    }

    @Test
    @DisplayName("the optimizer's update and the activations are two phases: the step holds the state plus the larger")
    void phasesDoNotAdd() {
        for (boolean ckpt : new boolean[] {false, true}) {
            for (PlanInput in : List.of(full(ckpt), full(ckpt).withLora(16, 7), full(ckpt).withTokens(16))) {
                MemoryPlan plan = MemoryPlan.of(in);
                long scratch = term(plan, "optimizer update");
                long activations = term(plan, "activations");
                // exactly one phase is counted beside the state
                assertThat(scratch == 0 || activations == 0).as(in.toString()).isTrue();
                assertThat(plan.trainingBytes()).isGreaterThan(plan.stateBytes());
            }
        }
        // full fine-tuning of Qwen2.5-0.5B at 16 tokens: the fused AdamW needs no scratch (the plain path's copies of
        // the 136M-value embedding are gone), so even here the forward and backward are the peak
        MemoryPlan shortFull = MemoryPlan.of(full(true).withTokens(16));
        assertThat(term(shortFull, "optimizer update")).isZero();
        assertThat(term(shortFull, "activations")).isPositive();
        // the retention the update still sees is part of what the pass counted
        MemoryPlan pass = MemoryPlan.of(full(true).withTokens(16).withLora(16, 7));
        assertThat(term(pass, "activations")).isPositive();
    }

    @Test
    @DisplayName("the state does not depend on lengths; the estimate grows with tokens and sequences, falling at most"
            + " by the allocator's retention where arrays outgrow glibc's mmap threshold")
    void monotonicInLengths() {
        long previous = 0;
        long previousRetention = 0;
        long state = MemoryPlan.of(full(true)).stateBytes();
        for (int tokens = 8; tokens <= 2048; tokens *= 2) {
            PlanInput in = new PlanInput(QWEN, 8, tokens, tokens / 2, 16, 7, false, true, false, 8, 32L << 20);
            MemoryPlan plan = MemoryPlan.of(in);
            assertThat(plan.peakBytes()).isGreaterThanOrEqualTo(previous - previousRetention);
            assertThat(MemoryPlan.of(in.withLora(0, 0).withCheckpointing(true)).stateBytes()).isEqualTo(state);
            previous = plan.peakBytes();
            previousRetention = java.util.stream.Stream.concat(plan.trainingTerms().stream(),
                    plan.smallerPhaseTerms().stream()).filter(t -> t.name().startsWith("allocator retention"))
                    .mapToLong(MemoryPlan.Term::bytes).sum();
            assertThat(previousRetention).isPositive();
        }
        long seqs = 0;
        for (int s = 1; s <= 32; s *= 2) {
            long peak = MemoryPlan.of(full(false).withSequences(s, s)).peakBytes();
            assertThat(peak).isGreaterThanOrEqualTo(seqs);
            seqs = peak;
        }
    }

    @Test
    @DisplayName("the checkpointed activations are one d-vector per token and layer; the graph's, the per-token sum")
    void activationArithmetic() {
        // a small shape: d 64, 4 heads of 16, 2 kv heads, I 128, 3 layers; 2 sequences of 32 tokens
        LlamaConfig small = LlamaConfig.builder().vocabSize(100).hiddenSize(64).intermediateSize(128).numLayers(3)
                .numHeads(4).numKeyValueHeads(2).tieWordEmbeddings(true).tokenIds(null, List.of(1), null).build();
        PlanInput in = new PlanInput(small, 2, 32, 16, 0, 0, false, true, false, 2, 1L << 20);
        long tokens = 2 * 32;
        assertThat(term(MemoryPlan.of(in), "activations (checkpointed")).isEqualTo(4 * tokens * 64 * 3);
        // saved per token and layer: 6d + 3q + 2kv + 3I + H floats (q = 64, kv = 32, H = 4): the fused attention
        // keeps no H·T probabilities
        long perToken = 6 * 64 + 3 * 64 + 2 * 32 + 3 * 128 + 4;
        assertThat(term(MemoryPlan.of(in.withCheckpointing(false)), "activations (3 layers")).isEqualTo(
                4 * tokens * perToken * 3);
    }

    @Test
    @DisplayName("the held-out evaluation is a phase of its own: its no-grad batch beside the whole state")
    void evaluationPhase() {
        PlanInput lora = full(true).withLora(16, 7);
        assertThat(MemoryPlan.of(lora).evaluationTerms()).isEmpty();
        MemoryPlan small = MemoryPlan.of(lora.withEvaluationRows(2));
        assertThat(small.evaluationBytes()).isGreaterThan(small.stateBytes()).isLessThan(small.trainingBytes());
        assertThat(small.peakBytes()).isEqualTo(small.trainingBytes());
        // 128 sequences of 512 tokens scored beside the state outgrow a checkpointed LoRA step of 8 sequences
        MemoryPlan big = MemoryPlan.of(lora.withEvaluationRows(128));
        assertThat(big.evaluationBytes()).isGreaterThan(big.trainingBytes());
        assertThat(big.peakBytes()).isEqualTo(big.evaluationBytes());
        assertThat(big.refusal(big.trainingBytes()).orElseThrow()).contains("(the held-out evaluation)");
        assertThat(big.describe()).anyMatch(l -> l.startsWith("  held-out evaluation "));
        // per token of its batch: 10d + 9q + 6kv + 5I + H floats, as the reference pass
        long perToken = 10 * 896 + 9 * 896 + 6 * 128 + 5 * 4864 + 14;
        assertThat(big.evaluationTerms()).anyMatch(t -> t.name().equals("one layer's no-grad intermediates")
                && t.bytes() == 4L * perToken * 128 * 512);
    }
}
