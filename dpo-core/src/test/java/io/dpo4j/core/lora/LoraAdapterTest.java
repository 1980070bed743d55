package io.dpo4j.core.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("LoRA adapters")
class LoraAdapterTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("a fresh adapter (B = 0) gives exactly the base model's log-probs")
    void freshAdapterIsTheBase() {
        try (LlamaModel model = LoraFixtures.model(1)) {
            float[] base = LoraFixtures.logProbs(model);
            LoraAdapter adapter = LoraAdapter.create(model, LoraFixtures.ALL, 7);
            model.attachAdapter(adapter);
            assertThat(adapter.modules()).hasSize(14);
            assertThat(adapter.b("model.layers.0.self_attn.q_proj").toFloatArray()).containsOnly(0f);
            assertThat(adapter.a("model.layers.0.self_attn.q_proj").toFloatArray()).doesNotContain(0f);
            assertThat(LoraFixtures.logProbs(model)).containsExactly(base);
        }
    }

    @Test
    @DisplayName("with the adapter switched off the model is exactly the base (the reference); on, it differs")
    void disabledAdapterIsTheBase() {
        try (LlamaModel model = LoraFixtures.model(2)) {
            float[] base = LoraFixtures.logProbs(model);
            LoraAdapter adapter = LoraAdapter.create(model, LoraFixtures.ALL, 7);
            model.attachAdapter(adapter);
            LoraFixtures.randomize(adapter, 3);
            float[] adapted = LoraFixtures.logProbs(model);
            model.setAdapterEnabled(false);
            assertThat(LoraFixtures.logProbs(model)).containsExactly(base);
            model.setAdapterEnabled(true);
            assertThat(LoraFixtures.logProbs(model)).containsExactly(adapted);
            assertThat(adapted).isNotEqualTo(base);
        }
    }

    @Test
    @DisplayName("merged weights equal W + scale·B·A (alpha/r, and alpha/√r with rsLoRA)")
    void mergeFormula() {
        for (boolean rslora : new boolean[] {false, true}) {
            LoraSettings settings = LoraFixtures.ALL.withRslora(rslora).withAlpha(6);
            double scale = rslora ? 6 / Math.sqrt(4) : 6 / 4.0;
            assertThat(settings.scale()).isEqualTo(scale);
            try (LlamaModel model = LoraFixtures.model(4)) {
                LoraAdapter adapter = LoraAdapter.create(model, settings, 5);
                LoraFixtures.randomize(adapter, 6);
                String module = "model.layers.1.mlp.down_proj";
                float[] w = model.parameter(module + ".weight").toFloatArray();
                float[] a = adapter.a(module).toFloatArray();
                float[] b = adapter.b(module).toFloatArray();
                Shape shape = model.parameter(module + ".weight").getShape();
                int out = (int) shape.get(0);
                int in = (int) shape.get(1);
                adapter.mergeInto(model);
                float[] merged = model.parameter(module + ".weight").toFloatArray();
                for (int i = 0; i < out; i++) {
                    for (int j = 0; j < in; j++) {
                        double ba = 0;
                        for (int k = 0; k < 4; k++) {
                            ba += (double) b[i * 4 + k] * a[k * in + j];
                        }
                        assertThat((double) merged[i * in + j]).isCloseTo(w[i * in + j] + scale * ba, within(1e-5));
                    }
                }
                // an untargeted layer is untouched
                LoraAdapter qOnly = LoraAdapter.create(model, settings.withTargetModules(TargetModules.of(List.of("q_proj"))), 1);
                assertThat(qOnly.modules()).containsExactly("model.layers.0.self_attn.q_proj",
                        "model.layers.1.self_attn.q_proj");
            }
        }
    }

    @Test
    @DisplayName("an adapter written, read back and merged gives the live adapted model's log-probs (1e-5)")
    void roundTripAndMerge() throws Exception {
        Path base = dir.resolve("base");
        try (LlamaModel model = LoraFixtures.model(8)) {
            HuggingFaceCheckpoint.save(model, base);
        }
        float[] live;
        try (LlamaModel model = HuggingFaceCheckpoint.load(base)) {
            LoraAdapter adapter = LoraAdapter.create(model, LoraFixtures.ALL.withRslora(true), 9);
            model.attachAdapter(adapter);
            LoraFixtures.randomize(adapter, 10, 0.1);
            live = LoraFixtures.logProbs(model);
            PeftAdapterFiles.save(adapter, dir.resolve("adapter"), base.toString());
        }
        try (LlamaModel model = HuggingFaceCheckpoint.load(base)) {
            LoraAdapter read = PeftAdapterFiles.load(dir.resolve("adapter"), model);
            assertThat(read.settings()).isEqualTo(LoraFixtures.ALL.withRslora(true));
            model.attachAdapter(read);
            assertThat(LoraFixtures.logProbs(model)).containsExactly(live);
        }
        LoraMerge.merge(base, dir.resolve("adapter"), dir.resolve("merged"));
        try (LlamaModel merged = HuggingFaceCheckpoint.load(dir.resolve("merged"))) {
            assertThat(merged.adapter()).isEmpty();
            float[] m = LoraFixtures.logProbs(merged);
            for (int i = 0; i < m.length; i++) {
                assertThat(m[i]).as("log-prob %d", i).isCloseTo(live[i], within(1e-5f));
            }
        }
    }

    @Test
    @DisplayName("the base is frozen: after a backward only the adapter has gradients, and it alone is trainable")
    void frozenBase() {
        try (LlamaModel model = LoraFixtures.model(11)) {
            LoraAdapter adapter = LoraAdapter.create(model, LoraFixtures.ALL.withDropout(0.1), 12);
            model.attachAdapter(adapter);
            assertThat(model.trainableParameters()).isSameAs(adapter.parameters());
            assertThat(model.trainableParameters().keySet()).allMatch(k -> k.startsWith("base_model.model.model.layers."));
            try (NDManager step = model.manager().newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray positions = step.arange(0, 8).toType(DataType.INT64, false).reshape(1, 8).repeat(0, 2);
                NDArray h = model.trainingPass(step.create(LoraFixtures.IDS, new Shape(2, 8)),
                        step.create(LoraFixtures.MASK, new Shape(2, 8)), positions, false, 1).hidden();
                gc.backward(model.logits(h).logSoftmax(-1).mean());
            }
            for (Map.Entry<String, NDArray> p : model.parameters().entrySet()) {
                assertThat(p.getValue().hasGradient()).as(p.getKey()).isFalse();
                assertThat(JniUtils.getGradient((PtNDArray) p.getValue())).as("gradient buffer of " + p.getKey()).isNull();
            }
            for (Map.Entry<String, NDArray> p : adapter.parameters().entrySet()) {
                assertThat(JniUtils.getGradient((PtNDArray) p.getValue())).as(p.getKey()).isNotNull();
            }
        }
    }

    @Test
    @DisplayName("targets: a list matches name suffixes, a regex the whole module name; nothing matched is an error")
    void targets() {
        try (LlamaModel model = LoraFixtures.model(13)) {
            assertThat(LoraAdapter.targets(model, TargetModules.regex("model\\.layers\\.1\\.mlp\\..*")))
                    .containsExactly("model.layers.1.mlp.gate_proj", "model.layers.1.mlp.up_proj",
                            "model.layers.1.mlp.down_proj");
            assertThat(LoraAdapter.targets(model, TargetModules.regex(TargetModules.ALL_LINEAR))).hasSize(14);
            assertThat(LoraAdapter.targets(model, TargetModules.of(List.of("self_attn.v_proj")))).hasSize(2);
            assertThatThrownBy(() -> LoraAdapter.targets(model, TargetModules.of(List.of("c_attn"))))
                    .isInstanceOf(DpoException.class).hasMessageContaining("matches no linear layer");
            assertThatThrownBy(() -> LoraAdapter.targets(model, TargetModules.regex(".*lm_head")))
                    .isInstanceOf(DpoException.class).hasMessageContaining("lm_head");
        }
    }
}
