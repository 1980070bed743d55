package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.Hyperparameter;
import io.dpo4j.api.Hyperparameters;
import io.dpo4j.api.ObjectiveRequirements;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.cli.config.ConfigFiles;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.objective.DpoObjective;
import io.dpo4j.core.registry.ObjectiveRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's one warning when gradient accumulation splits the batches of a batch-coupled objective. */
@Tag("slow")
@DisplayName("TrainJob: gradient accumulation with a batch-coupled objective is warned about once")
class BatchCoupledWarningTest {

    /** dpo's arithmetic, declared batch-coupled (as aot, aot_pair and bco_pair are). */
    static final class CoupledDpo implements PreferenceObjective {
        private final DpoObjective dpo = new DpoObjective();

        @Override
        public String id() {
            return "coupled";
        }

        @Override
        public String description() {
            return "dpo declared batch-coupled (test)";
        }

        @Override
        public ObjectiveRequirements requirements() {
            return dpo.requirements().asBatchCoupled();
        }

        @Override
        public List<Hyperparameter> hyperparameters() {
            return dpo.hyperparameters();
        }

        @Override
        public ConfiguredObjective configure(Map<String, ?> parameters) {
            ConfiguredObjective inner = dpo.configure(parameters);
            return new ConfiguredObjective() {
                @Override
                public String id() {
                    return "coupled";
                }

                @Override
                public Hyperparameters parameters() {
                    return inner.parameters();
                }

                @Override
                public ObjectiveRequirements requirements() {
                    return inner.requirements().asBatchCoupled();
                }

                @Override
                public ObjectiveResult compute(SequenceStatistics statistics) {
                    return inner.compute(statistics);
                }
            };
        }
    }

    private static final String BASE = """
            model: tiny
            seed: 7
            sft: {steps: 10, lr: 5.0e-3, batch_size: 16}
            data: {max_prompt_length: 16, max_response_length: 16, max_length: 32}
            objective: {id: coupled}
            batch_size: 4
            max_steps: 2
            eval_every: 2
            evaluation: {sample_prompts: 2, max_new_tokens: 4}
            """;

    private static TrainJob.Summary train(Path dir, String accumulation) throws Exception {
        ObjectNode tree = ConfigFiles.parse("test.yaml", BASE);
        ConfigFiles.applyOverrides(tree, List.of("gradient_accumulation=" + accumulation));
        tree.put("output", dir.resolve("run").toString());
        TrainConfig config = TrainConfig.read("test.yaml", tree, p -> ObjectiveRegistry.of(List.of(new CoupledDpo())));
        return new TrainJob(config, new TrainJob.Options(false, false, dir.resolve("cache")),
                new PrintWriter(new StringWriter(), true)).run();
    }

    @Test
    @DisplayName("two micro-batches: one warning naming the objective and the batch sizes; one batch: none")
    void warnsOnce(@TempDir Path dir) throws Exception {
        List<String> split = train(dir.resolve("split"), "2").warnings();
        assertThat(split.stream().filter(w -> w.contains("batch-coupled"))).singleElement()
                .satisfies(w -> assertThat(w).contains("'coupled'").contains("gradient_accumulation = 2")
                        .contains("2 micro-batches of 4").contains("one batch of 8"));
        assertThat(train(dir.resolve("whole"), "1").warnings()).noneMatch(w -> w.contains("batch-coupled"));
    }
}
