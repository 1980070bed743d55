package io.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Fused attention (scaled_dot_product_attention) against the eager path")
class FusedAttentionTest {

    /** Grouped-query attention (6 query heads over 3 key/value heads), 3 layers. */
    private static final LlamaConfig CONFIG = LlamaConfig.builder().vocabSize(30).hiddenSize(24).intermediateSize(40)
            .numLayers(3).numHeads(6).numKeyValueHeads(3).headDim(4).attentionBias(true).tieWordEmbeddings(false)
            .build();
    private static final long[] IDS = {3, 7, 1, 9, 4, 2, 8, 0, 5, 6, 11, 12, 13, 0, 0, 0};
    private static final long[] MASK = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0};

    /** A random model in float64 (or float32): every comparison below is of two exact computations. */
    private static LlamaModel model(DataType type, long seed) {
        try (LlamaModel source = TinyModels.randomInit(CONFIG, seed)) {
            ModelFixtures.randomize(source, seed + 1);
            NDManager manager = NDManager.newBaseManager();
            Map<String, NDArray> parameters = new LinkedHashMap<>();
            source.parameters().forEach((name, p) -> {
                NDArray copy = p.toType(type, true);
                copy.attach(manager);
                parameters.put(name, copy);
            });
            return LlamaModel.of(CONFIG, manager, parameters);
        }
    }

    /** The hidden states and every parameter's gradient of a loss over them, flattened, for one attention path. */
    private static Map<String, double[]> run(LlamaModel model, boolean fused,
            Function<NDManager, AttentionMask> mask) {
        model.setFusedAttention(fused);
        assertThat(model.fusedAttention()).isEqualTo(fused);
        model.setTrainable(true);
        Map<String, double[]> out = new LinkedHashMap<>();
        try (NDManager step = model.manager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray ids = step.create(IDS, new Shape(2, 8));
            NDArray positions = step.arange(0, 8).toType(DataType.INT64, false).reshape(1, 8).repeat(0, 2);
            TrunkPass pass = model.trainingPass(ids, mask.apply(step), positions, false, 0);
            NDArray hidden = pass.hidden();
            out.put("hidden", hidden.toType(DataType.FLOAT64, false).toDoubleArray());
            NDArray logits = model.logits(hidden);
            gc.backward(logits.logSoftmax(-1).get(new NDIndex(":, :, 1")).mean().neg());
            pass.backward();
        }
        model.parameters().forEach((name, p) -> {
            try (NDArray g = p.getGradient()) {
                out.put(name, g.toType(DataType.FLOAT64, false).toDoubleArray());
            }
            JniUtils.zeroGrad((PtNDArray) p);
        });
        model.setTrainable(false);
        return out;
    }

    private static void assertClose(Map<String, double[]> eager, Map<String, double[]> fused, double tolerance) {
        assertThat(fused.keySet()).containsExactlyElementsOf(eager.keySet());
        eager.forEach((name, e) -> {
            double[] f = fused.get(name);
            double scale = 0;
            for (double v : e) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertThat(scale).as("%s is not all zero", name).isPositive();
            for (int i = 0; i < e.length; i++) {
                assertThat(f[i]).as("%s[%d]", name, i).isCloseTo(e[i], within(tolerance * Math.max(1, scale)));
            }
        });
    }

    private static AttentionMask padding(NDManager step) {
        return AttentionMask.padding(step.create(MASK, new Shape(2, 8)));
    }

    /** Row 0: a prompt of 3 with two responses (prompt sharing); row 1: two packed sequences and padding. */
    private static AttentionMask segments(NDManager step) {
        long[] segmentIds = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, -1, -1};
        long[] branchIds = {0, 0, 0, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0};
        return AttentionMask.segments(step.create(segmentIds, new Shape(2, 8)), step.create(branchIds, new Shape(2, 8)));
    }

    @Test
    @DisplayName("the engine loads the fused operator (so the tests below compare two paths, not one)")
    void available() {
        assertThat(FusedAttention.available()).isTrue();
    }

    static Stream<Arguments> layouts() {
        Function<NDManager, AttentionMask> padded = FusedAttentionTest::padding;
        Function<NDManager, AttentionMask> segmented = FusedAttentionTest::segments;
        return Stream.of(Arguments.of("padded rows, float64, to 1e-12", DataType.FLOAT64, padded, 1e-12),
                Arguments.of("segmented rows (prompt sharing, packing, padding), float64, to 1e-12", DataType.FLOAT64,
                        segmented, 1e-12),
                Arguments.of("segmented rows, float32, to 1e-5", DataType.FLOAT32, segmented, 1e-5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    @DisplayName("hidden states and every parameter's gradient equal the eager path's")
    void equalToEager(String name, DataType type, Function<NDManager, AttentionMask> mask, double tolerance) {
        try (LlamaModel model = model(type, 11)) {
            assertClose(run(model, false, mask), run(model, true, mask), tolerance);
        }
    }

    @Test
    @DisplayName("incremental decoding with a cache: each step's hidden states equal the eager path's")
    void cachedDecoding() {
        try (LlamaModel model = model(DataType.FLOAT64, 14)) {
            double[][] paths = new double[2][];
            for (int mode = 0; mode < 2; mode++) {
                model.setFusedAttention(mode == 1);
                try (NDManager step = model.manager().newSubManager()) {
                    KvCache cache = model.newCache(step);
                    NDArray prompt = step.create(new long[] {3, 7, 1, 9, 4}, new Shape(1, 5));
                    NDArray first = model.hiddenStates(prompt, step.ones(new Shape(1, 5), DataType.INT64),
                            step.arange(0, 5).toType(DataType.INT64, false).reshape(1, 5), cache);
                    NDArray next = model.hiddenStates(step.create(new long[] {2}, new Shape(1, 1)),
                            step.ones(new Shape(1, 6), DataType.INT64), step.create(new long[] {5}, new Shape(1, 1)),
                            cache);
                    paths[mode] = first.concat(next, 1).toDoubleArray();
                }
            }
            assertThat(paths[1]).hasSameSizeAs(paths[0]);
            for (int i = 0; i < paths[0].length; i++) {
                assertThat(paths[1][i]).as("hidden[%d]", i).isCloseTo(paths[0][i], within(1e-12));
            }
        }
    }
}
