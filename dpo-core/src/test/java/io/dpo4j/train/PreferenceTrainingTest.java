package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.data.PairedExample;
import io.dpo4j.core.model.ModelFixtures;
import io.dpo4j.core.objective.DpoObjective;
import io.dpo4j.core.train.ReferenceCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PreferenceTraining: the library API, in memory, without YAML, command line or run folder")
class PreferenceTrainingTest {

    static final Path MODEL = ModelFixtures.tinyLlama();
    static final String[] GOOD = {"great fun", "good", "lovely", "really good", "loved it", "great"};
    static final String[] BAD = {"awful", "bad", "boring", "terrible", "hated it", "not good"};

    static List<PairedExample> pairs(String prefix, int n) {
        List<PairedExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TrainingData.pair(prefix + i, i % 2 == 0 ? "the movie was" : "this film is", GOOD[i % GOOD.length],
                    BAD[(i + 1) % BAD.length]));
        }
        return out;
    }

    static ConfiguredObjective dpo(double beta) {
        return new DpoObjective().configure(Map.of("beta", beta));
    }

    static PreferenceTraining.Builder small() {
        return PreferenceTraining.builder().policy(MODEL).data(TrainingData.of(pairs("t", 12), pairs("v", 4)))
                .optimizer(OptimizerSettings.adamW(1e-2)).batchSize(4).steps(6)
                .evaluation(EvaluationSettings.defaults().withEvery(3).withSampling(2, 4));
    }

    /** Records the order of the callbacks. */
    static final class Recorder implements TrainingListener {
        final List<String> events = new ArrayList<>();

        @Override
        public void onStart(TrainingContext c) {
            events.add("start");
        }

        @Override
        public void beforeUpdate(TrainingContext c, StepEvent e) {
            events.add("before " + e.step());
        }

        @Override
        public void onStep(TrainingContext c, StepEvent e) {
            events.add("step " + e.step());
        }

        @Override
        public void onEvaluation(TrainingContext c, EvaluationEvent e) {
            events.add("eval " + e.step());
        }

        @Override
        public void onEnd(TrainingContext c) {
            events.add("end");
        }

        @Override
        public void onClose(TrainingContext c) {
            events.add("close");
        }
    }

    @Test
    @DisplayName("fit() trains from pairs in memory: listeners in order, evaluations, the trained model in the result")
    void fitsInMemory() throws Exception {
        Recorder r = new Recorder();
        try (TrainingResult result = small().objective(dpo(0.1)).listener(r).build().fit()) {
            assertThat(result.steps()).isEqualTo(6);
            assertThat(r.events).containsExactly("start", "eval 0", "before 1", "step 1", "before 2", "step 2",
                    "before 3", "eval 3", "step 3", "before 4", "step 4", "before 5", "step 5", "before 6", "eval 6",
                    "step 6", "end", "close");
            // The evaluation after a step is run by a built-in listener, so it reaches the later listeners
            // before their own onStep of that step.
            assertThat(result.evaluations()).hasSize(3);
            assertThat(result.firstEvaluation()).containsKeys("eval/rewards/accuracies", "eval/loss",
                    "eval/sample_length");
            assertThat(result.lastEvaluation().get("eval/loss")).isLessThan(result.firstEvaluation().get("eval/loss"));
            assertThat(result.lastTrainMetrics()).containsKeys("loss", "rewards/margins");
            assertThat(result.model().parameters()).isNotEmpty();
            assertThat(result.savedModel()).isEmpty();
            assertThat(result.referenceScored()).isPositive();
        }
    }

    @Test
    @DisplayName("a weighted sum of objectives prefixes each term's metrics by its id and reads the first one's reward scale")
    void weightedSum() throws Exception {
        List<Map<String, Double>> steps = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onStep(TrainingContext c, StepEvent e) {
                steps.add(e.metrics());
                assertThat(c.rewardScale()).isEqualTo(0.1);
            }
        };
        try (TrainingResult result = small().steps(2).objective(dpo(0.1)).objective(dpo(0.5), 0.5).listener(l)
                .build().fit()) {
            assertThat(steps.get(0)).containsKeys("dpo/loss", "dpo/rewards/accuracies");
            assertThat(result.lastEvaluation()).containsKeys("eval/loss", "eval/dpo/loss");
        }
    }

    @Test
    @DisplayName("the reference: precomputed statistics must cover every sequence; none only for reference-free objectives")
    void reference() throws Exception {
        assertThatThrownBy(() -> small().objective(dpo(0.1)).reference(Reference.statistics(ReferenceCache.empty()))
                .build().fit()).isInstanceOf(DpoException.class).hasMessageContaining("lack 32 of the 32 sequences");
        assertThatThrownBy(() -> small().objective(dpo(0.1)).reference(Reference.none()).build().fit())
                .isInstanceOf(DpoException.class).hasMessageContaining("reads reference statistics");
        ConfiguredObjective free = new DpoObjective().configure(Map.of("reference_free", true));
        try (TrainingResult result = small().steps(1).objective(free).reference(Reference.none()).build().fit()) {
            assertThat(result.steps()).isEqualTo(1);
            assertThat(result.referenceScored()).isZero();
        }
    }

    @Test
    @DisplayName("build() names what is missing")
    void incomplete() {
        assertThatThrownBy(() -> PreferenceTraining.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no policy");
        assertThatThrownBy(() -> PreferenceTraining.builder().policy(MODEL).build())
                .hasMessageContaining("no objective");
        assertThatThrownBy(() -> PreferenceTraining.builder().policy(MODEL).objective(dpo(0.1)).build())
                .hasMessageContaining("no data");
        assertThatThrownBy(() -> PreferenceTraining.builder().batchSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batch_size = 0: must be >= 1");
    }

    @Test
    @DisplayName("devices: cpu, gpu, gpu:N; a GPU on this CPU-only libtorch fails at once with the reason")
    void devices() {
        assertThat(Device.parse("cpu")).isEqualTo(Device.cpu());
        assertThat(Device.parse("GPU")).isEqualTo(Device.gpu(0));
        assertThat(Device.parse("gpu:2")).isEqualTo(Device.gpu(2));
        assertThat(Device.gpu(1).toString()).isEqualTo("gpu:1");
        assertThatThrownBy(() -> Device.parse("tpu")).isInstanceOf(DpoException.class)
                .hasMessage("unknown device 'tpu'; use cpu, gpu or gpu:N (N = 0, 1, …)");
        assertThatThrownBy(() -> Device.parse("gpu:-1")).isInstanceOf(DpoException.class);
        assertThat(Device.cpu().requireAvailable()).isEqualTo(Device.cpu());
        if (ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
            assertThatThrownBy(() -> small().objective(dpo(0.1)).device(Device.gpu(0)).build().fit())
                    .isInstanceOf(DpoException.class)
                    .hasMessageStartingWith("device gpu:0: the loaded libtorch sees 0 CUDA devices");
        }
    }
}
