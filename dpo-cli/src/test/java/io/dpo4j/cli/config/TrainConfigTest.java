package io.dpo4j.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.api.Violation;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.objective.DpoObjective;
import io.dpo4j.core.registry.ObjectiveRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TrainConfig: one validated place for the training configuration")
class TrainConfigTest {

    private static TrainConfig read(String yaml, String... overrides) {
        ObjectNode tree = ConfigFiles.parse("train.yaml", yaml);
        ConfigFiles.applyOverrides(tree, List.of(overrides));
        return TrainConfig.read("train.yaml", tree, plugins -> ObjectiveRegistry.of(List.of(new DpoObjective())));
    }

    @Test
    @DisplayName("an empty file gives the documented defaults")
    void defaults() {
        TrainConfig c = read("");
        assertThat(c.model()).isEqualTo("tiny");
        assertThat(c.objectives()).singleElement().satisfies(o -> {
            assertThat(o.id()).isEqualTo("dpo");
            assertThat(o.configured().parameters().real("beta")).isEqualTo(0.1);
        });
        assertThat(c.training().batchSize()).isEqualTo(8);
        assertThat(c.data().synthetic()).isTrue();
        assertThat(c.output()).isEqualTo(Path.of("runs/dpo"));
    }

    @Test
    @DisplayName("--set overrides reach nested keys and parse YAML values")
    void overrides() {
        TrainConfig c = read("optimizer: {lr: 0.1}\n", "optimizer.lr=2e-4", "objective.params.beta=0.3",
                "objective.id=dpo", "data.train=[a.jsonl, b.jsonl]", "max_steps=5");
        assertThat(c.optimizer().lr()).isEqualTo(2e-4);
        assertThat(c.objectives().get(0).configured().parameters().real("beta")).isEqualTo(0.3);
        assertThat(c.data().train()).containsExactly("a.jsonl", "b.jsonl");
        assertThat(c.training().maxSteps()).isEqualTo(5);
    }

    @Test
    @DisplayName("every error is reported at once: field, value, rule, and 'did you mean' for misspelt keys")
    void allErrors() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> read("""
                batch_size: 0
                optimzer: {lr: 1}
                optimizer: {lr: -1, betas: [0.9]}
                schedule: {decay: cosin}
                data: {on_bad_row: ignore, max_length: 1.5}
                objective: {id: dpo, params: {beta: 0, labl_smoothing: 0.1}}
                """));
        assertThat(e.violations()).extracting(Violation::field).containsExactlyInAnyOrder("batch_size", "optimzer",
                "optimizer.lr", "optimizer.betas", "schedule.decay", "data.on_bad_row", "data.max_length",
                "objective.params.beta", "objective.params.labl_smoothing");
        assertThat(e.getMessage()).startsWith("train.yaml: 9 problems")
                .contains("optimzer = {\"lr\":1}: unknown key (did you mean 'optimizer'?)")
                .contains("schedule.decay = \"cosin\": must be one of constant, linear, cosine (did you mean 'cosine'?)")
                .contains("objective.params.beta = 0.0: must be > 0")
                .contains("did you mean 'label_smoothing'");
    }

    @Test
    @DisplayName("choices are read whatever the case, and YAML's true and false are the choices of those names")
    void choices() {
        assertThat(read("sft: {enabled: true}").sft().enabled()).isEqualTo(TrainConfig.SftMode.TRUE);
        assertThat(read("sft: {enabled: false}").sft().enabled()).isEqualTo(TrainConfig.SftMode.FALSE);
        assertThat(read("sft: {enabled: Auto}\nschedule: {decay: COSINE}").schedule().decay())
                .isEqualTo(io.dpo4j.core.train.Decay.COSINE);
        assertThatThrownBy(() -> read("data: {truncation: true}")).hasMessageContaining(
                "data.truncation = true: must be one of truncate, drop");
    }

    @Test
    @DisplayName("an unknown objective lists the known ones; a weighted list is read")
    void objectives() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> read("objective: dpoo"));
        assertThat(e.getMessage()).contains("objective.id = \"dpoo\": unknown objective 'dpoo' (did you mean 'dpo'?)");
        TrainConfig c = read("objective: [{id: dpo, weight: 0.5}, {id: dpo, params: {beta: 0.2}}]");
        assertThat(c.objectives()).extracting(TrainConfig.ObjectiveSpec::weight).containsExactly(0.5, 1.0);
    }

    @Test
    @DisplayName("the resolved tree reads back to the same configuration")
    void roundTrip() {
        TrainConfig c = read("objective: {id: dpo, params: {beta: 0.25}}\nmax_steps: 7\n");
        String yaml = ConfigFiles.toYaml(c.toTree());
        TrainConfig again = read(yaml);
        assertThat(again.toTree()).isEqualTo(c.toTree());
        assertThat(yaml).contains("beta: 0.25").contains("label_smoothing: 0.0");
    }

    @Test
    @DisplayName("invalid YAML, duplicate keys and malformed --set are clear errors")
    void syntax() {
        assertThatThrownBy(() -> read("a: [1, 2")).isInstanceOf(DpoException.class)
                .hasMessageStartingWith("train.yaml:").hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> read("seed: 1\nseed: 2\n")).hasMessageContaining("Duplicate field 'seed'");
        assertThatThrownBy(() -> read("", "noequals")).hasMessageContaining("--set noequals: expected KEY=VALUE");
        assertThatThrownBy(() -> read("seed: 3", "seed.x=1")).hasMessageContaining("'seed' is not a mapping");
    }
}
