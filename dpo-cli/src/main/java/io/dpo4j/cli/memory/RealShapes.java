package io.dpo4j.cli.memory;

import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.ModelFamily;
import java.util.List;
import java.util.Locale;

/** The architectures of real checkpoints, for random-weight models built on the fly (nothing is downloaded). */
public enum RealShapes {
    /** HuggingFaceTB/SmolLM2-135M. */
    SMOLLM2_135M("smollm2-135m"),
    /** Qwen/Qwen2.5-0.5B. */
    QWEN25_05B("qwen2.5-0.5b"),
    /** Qwen/Qwen2.5-1.5B. */
    QWEN25_15B("qwen2.5-1.5b");

    private final String id;

    RealShapes(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static RealShapes fromId(String id) {
        for (RealShapes s : values()) {
            if (s.id.equals(id.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown shape " + id + " (expected smollm2-135m, qwen2.5-0.5b or qwen2.5-1.5b)");
    }

    public LlamaConfig config() {
        return switch (this) {
            case SMOLLM2_135M -> LlamaConfig.builder().vocabSize(49152).hiddenSize(576).intermediateSize(1536)
                    .numLayers(30).numHeads(9).numKeyValueHeads(3).ropeTheta(100000).rmsNormEps(1e-5)
                    .maxPositionEmbeddings(8192).tieWordEmbeddings(true).tokenIds(0, List.of(0), null).build();
            case QWEN25_05B -> LlamaConfig.builder().family(ModelFamily.QWEN2).vocabSize(151936).hiddenSize(896)
                    .intermediateSize(4864).numLayers(24).numHeads(14).numKeyValueHeads(2).headDim(64)
                    .attentionBias(true).ropeTheta(1000000).rmsNormEps(1e-6).maxPositionEmbeddings(32768)
                    .tieWordEmbeddings(true).tokenIds(null, List.of(151643), null).build();
            case QWEN25_15B -> LlamaConfig.builder().family(ModelFamily.QWEN2).vocabSize(151936).hiddenSize(1536)
                    .intermediateSize(8960).numLayers(28).numHeads(12).numKeyValueHeads(2).headDim(128)
                    .attentionBias(true).ropeTheta(1000000).rmsNormEps(1e-6).maxPositionEmbeddings(32768)
                    .tieWordEmbeddings(true).tokenIds(null, List.of(151643), null).build();
        };
    }
}
