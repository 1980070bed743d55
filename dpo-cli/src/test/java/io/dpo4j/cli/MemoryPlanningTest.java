package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import io.dpo4j.cli.config.ConfigFiles;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.ModelFixtures;
import io.dpo4j.core.objective.DpoObjective;
import io.dpo4j.core.registry.ObjectiveRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The trainer's memory plan")
class MemoryPlanningTest {

    @TempDir
    Path dir;

    /** 300 GiB "available": the huge model's weights (255 GiB) pass the load-time footprint check, its training does not. */
    private static final String AVAILABLE = String.valueOf(300L << 30);

    private String previous;

    @org.junit.jupiter.api.BeforeEach
    void pretendMemory() {
        previous = System.getProperty(io.dpo4j.core.model.ModelFootprint.AVAILABLE_PROPERTY);
        System.setProperty(io.dpo4j.core.model.ModelFootprint.AVAILABLE_PROPERTY, AVAILABLE);
    }

    @org.junit.jupiter.api.AfterEach
    void restoreMemory() {
        if (previous == null) {
            System.clearProperty(io.dpo4j.core.model.ModelFootprint.AVAILABLE_PROPERTY);
        } else {
            System.setProperty(io.dpo4j.core.model.ModelFootprint.AVAILABLE_PROPERTY, previous);
        }
    }

    /** A model folder whose config.json describes a model far larger than any machine here (weights never read). */
    private Path hugeModel() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("huge"));
        Path tiny = ModelFixtures.tinyLlama();
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "model.safetensors")) {
            Files.copy(tiny.resolve(f), folder.resolve(f));
        }
        Files.writeString(folder.resolve(HuggingFaceCheckpoint.CONFIG), Files.readString(tiny.resolve(
                HuggingFaceCheckpoint.CONFIG)).replace("\"hidden_size\": 32", "\"hidden_size\": 8192")
                .replace("\"intermediate_size\": 64", "\"intermediate_size\": 28672")
                .replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 80")
                .replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 64")
                .replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 8"));
        return folder;
    }

    private TrainConfig config(Path model, String... overrides) {
        String yaml = "model: " + model + "\ndata: {train: [" + ModelFixtures.tinyLlama().resolve("expected_logps.jsonl")
                + "], max_length: 32, max_prompt_length: 16, max_response_length: 16}\nmax_steps: 1\n";
        var tree = ConfigFiles.parse("test.yaml", yaml);
        ConfigFiles.applyOverrides(tree, List.of(overrides));
        tree.put("output", dir.resolve("run").toString());
        return TrainConfig.read("test.yaml", tree, p -> ObjectiveRegistry.of(List.of(new DpoObjective())));
    }

    @Test
    @DisplayName("a run that cannot fit is refused before loading, with the plan and the settings that would fit")
    void refusedBeforeLoading() throws Exception {
        Path model = hugeModel();
        StringWriter log = new StringWriter();
        assertThatThrownBy(() -> new TrainJob(config(model), new TrainJob.Options(false, false,
                dir.resolve("cache")), new PrintWriter(log, true)).run())
                .isInstanceOf(DpoException.class)
                .hasMessageContaining("this run needs about").hasMessageContaining("is available")
                .hasMessageContaining("parameters").hasMessageContaining("memory.check: false");
        assertThat(log.toString()).contains("memory plan: peak about").contains("available:");
        assertThat(dir.resolve("run")).doesNotExist();
    }

    @Test
    @DisplayName("activation checkpointing: auto from 100M parameters; the reference batch never raises the peak")
    void checkpointingAndReferenceRows() throws Exception {
        Path model = hugeModel();
        assertThat(MemoryPlanning.checkpointing(config(model), 99_999_999)).isFalse();
        assertThat(MemoryPlanning.checkpointing(config(model), 100_000_000)).isTrue();
        assertThat(MemoryPlanning.checkpointing(config(model, "memory.activation_checkpointing=false"), 1L << 40))
                .isFalse();
        var arch = io.dpo4j.core.model.LlamaConfig.read(model.resolve(HuggingFaceCheckpoint.CONFIG));
        var in = MemoryPlanning.input(config(model, "lora.r=8"), Lengths.resolve(config(model).data(), false,
                arch.maxPositionEmbeddings()), arch, true, 1);
        assertThat(in.loraRank()).isEqualTo(8);
        assertThat(in.loraModulesPerLayer()).isEqualTo(2); // the default target_modules: q_proj, v_proj
        int rows = MemoryPlanning.referenceRows(in, java.util.OptionalLong.empty());
        var plan = io.dpo4j.core.memory.MemoryPlan.of(in.withSequences(in.sequences(), rows));
        assertThat(plan.referenceBytes()).isLessThanOrEqualTo(plan.trainingBytes());
        assertThat(rows).isBetween(1, 64);
    }

    /** The tiny-llama fixture as a user model (a folder), with its data at long length limits. */
    private TrainConfig fixtureConfig(String... overrides) {
        String yaml = "model: " + ModelFixtures.tinyLlama() + "\ndata: {train: [" + ModelFixtures.tinyLlama().resolve(
                "expected_logps.jsonl") + "], max_length: 4096}\nbatch_size: 64\nmax_steps: 1\neval_every: 1000\n"
                + "evaluation: {sample_prompts: 0}\n";
        var tree = ConfigFiles.parse("test.yaml", yaml);
        ConfigFiles.applyOverrides(tree, List.of(overrides));
        tree.put("output", dir.resolve("run").toString());
        return TrainConfig.read("test.yaml", tree, p -> ObjectiveRegistry.of(List.of(new DpoObjective())));
    }

    private static void pretend(long bytes) {
        System.setProperty(io.dpo4j.core.model.ModelFootprint.AVAILABLE_PROPERTY, String.valueOf(bytes));
    }

    @Test
    @DisplayName("the plan sizes activations at the tokenised data's longest sequence: short data at a long max_length runs")
    void plansAtTheDataLengths() throws Exception {
        TrainConfig config = fixtureConfig();
        var arch = io.dpo4j.core.model.LlamaConfig.read(ModelFixtures.tinyLlama().resolve(HuggingFaceCheckpoint.CONFIG));
        var bound = io.dpo4j.core.memory.MemoryPlan.of(MemoryPlanning.input(config, Lengths.resolve(config.data(),
                false, arch.maxPositionEmbeddings()), arch, false, 1));
        long available = 2L << 30;
        assertThat(bound.peakBytes()).isGreaterThan(available); // at max_length 4096 the run would be refused
        pretend(available);
        StringWriter log = new StringWriter();
        new TrainJob(config, new TrainJob.Options(false, false, dir.resolve("cache")), new PrintWriter(log, true)).run();
        String text = log.toString();
        assertThat(text).contains("memory plan: peak about").contains("128 sequences × ");
        int planned = Integer.parseInt(text.replaceAll("(?s).*128 sequences × (\\d+) tokens.*", "$1"));
        assertThat(planned).isBetween(2, 32); // the fixture's longest prompt + response, far below max_length
        // it is the longest sequence the batches meet: the plan is printed after the tokens' summary
        assertThat(text.indexOf("memory plan:")).isGreaterThan(text.indexOf("tokens: "));
    }

    @Test
    @DisplayName("a run whose data does not fit is refused once tokenised, before the model is loaded")
    void refusedAtTheDataLengths() throws Exception {
        TrainConfig config = fixtureConfig();
        var arch = io.dpo4j.core.model.LlamaConfig.read(ModelFixtures.tinyLlama().resolve(HuggingFaceCheckpoint.CONFIG));
        var plan = io.dpo4j.core.memory.MemoryPlan.of(MemoryPlanning.input(config, arch, false, 1,
                new io.dpo4j.core.memory.DataLengths(2, 1)));
        pretend(plan.stateBytes() + (1L << 20)); // the state fits (preflight passes), no activation does
        StringWriter log = new StringWriter();
        assertThatThrownBy(() -> new TrainJob(config, new TrainJob.Options(false, false, dir.resolve("cache")),
                new PrintWriter(log, true)).run())
                .isInstanceOf(DpoException.class).hasMessageContaining("this run needs about")
                .hasMessageContaining("memory.check: false");
        assertThat(log.toString()).contains("tokens: ").contains("memory plan: peak about")
                .doesNotContain("reference statistics");
        // memory.check: false runs it anyway
        new TrainJob(fixtureConfig("memory.check=false"), new TrainJob.Options(false, true, dir.resolve("cache")),
                new PrintWriter(new StringWriter(), true)).run();
    }
}
