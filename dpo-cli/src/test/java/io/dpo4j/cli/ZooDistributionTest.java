package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.cli.config.ConfigFiles;
import io.dpo4j.core.registry.ObjectiveRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zoo in the distribution: listed, checked by hand, configured, benchmarked and mixed by id. */
@DisplayName("the objective zoo in the distribution")
class ZooDistributionTest {

    /** The sixteen zoo ids. */
    static final List<String> ZOO = List.of("hinge", "exo_pair", "nca_pair", "robust", "bco_pair", "sppo_hard", "aot",
            "aot_pair", "apo_zero", "apo_down", "discopop", "sigmoid_norm", "cpo", "dpop", "rdpo", "fdpo");

    /** Every built-in id. */
    static final List<String> ALL = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("dpo", "ipo", "kto", "orpo", "simpo"), ZOO.stream()).toList();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("dpo objectives --json: choices, batch coupling and declared semantics are part of the catalogue")
    void catalogue() throws Exception {
        CliRunner.Result r = CliRunner.run("objectives", "--json");
        JsonNode objectives = JSON.readTree(r.out()).get("objectives");
        List<String> ids = StreamSupport.stream(objectives.spliterator(), false).map(o -> o.get("id").asText()).toList();
        assertThat(ids).containsExactlyInAnyOrderElementsOf(ALL);
        JsonNode fdpo = find(objectives, "fdpo");
        assertThat(fdpo.at("/hyperparameters/1/type").asText()).isEqualTo("choice");
        assertThat(fdpo.at("/hyperparameters/1/choices").toString())
                .isEqualTo("[\"reverse_kl\",\"forward_kl\",\"js_divergence\",\"alpha_divergence\"]");
        for (String coupled : List.of("aot", "aot_pair", "bco_pair")) {
            assertThat(find(objectives, coupled).get("batch_coupled").asBoolean()).as(coupled).isTrue();
        }
        assertThat(find(objectives, "hinge").get("batch_coupled").asBoolean()).isFalse();
        assertThat(find(objectives, "apo_down").at("/semantics/when_chosen_rises").asText()).isEqualTo("either");
        assertThat(find(objectives, "cpo").get("needs_reference").asBoolean()).isFalse();
        CliRunner.Result text = CliRunner.run("objectives");
        assertThat(text.out()).contains("divergence = reverse_kl  one of reverse_kl, forward_kl, js_divergence, "
                + "alpha_divergence").contains("batch-coupled (gradient accumulation changes the result)")
                .contains("semantics:   raising a chosen log-prob may raise or lower the loss");
    }

    private static JsonNode find(JsonNode objectives, String id) {
        for (JsonNode o : objectives) {
            if (o.get("id").asText().equals(id)) {
                return o;
            }
        }
        throw new AssertionError("no objective " + id);
    }

    @Test
    @DisplayName("dpo loss: a choice given with --param overrides the file, a misspelt one is one clear line")
    void lossWithChoice(@TempDir Path dir) throws Exception {
        Path input = Path.of(getClass().getResource("/zoo-cases/fdpo-js.json").toURI());
        CliRunner.Result file = CliRunner.run("loss", "--input", input.toString());
        assertThat(file.exitCode()).as(file.err()).isZero();
        assertThat(JSON.readTree(file.out()).at("/params/divergence").asText()).isEqualTo("js_divergence");
        CliRunner.Result param = CliRunner.run("loss", "--input", input.toString(), "--param",
                "divergence=forward_kl");
        assertThat(param.exitCode()).as(param.err()).isZero();
        assertThat(JSON.readTree(param.out()).at("/params/divergence").asText()).isEqualTo("forward_kl");
        assertThat(JSON.readTree(param.out()).get("loss").asDouble())
                .isNotEqualTo(JSON.readTree(file.out()).get("loss").asDouble());
        CliRunner.Result bad = CliRunner.run("loss", "--input", input.toString(), "--param", "divergence=forwrd_kl");
        TinyRuns.assertOneLineError(bad, "invalid parameter for objective 'fdpo': --param divergence = \"forwrd_kl\": "
                + "must be one of reverse_kl, forward_kl, js_divergence, alpha_divergence (did you mean 'forward_kl'?)");
        Path typo = dir.resolve("typo.json");
        Files.writeString(typo, Files.readString(input).replace("js_divergence", "js_divergense"));
        TinyRuns.assertOneLineError(CliRunner.run("loss", "--input", typo.toString()),
                typo + ": field params.divergence = \"js_divergense\"", "did you mean 'js_divergence'");
    }

    @Test
    @DisplayName("TRL's name aot_unpaired is answered with aot_pair")
    void trlName() throws Exception {
        Path input = Path.of(getClass().getResource("/zoo-cases/fdpo-js.json").toURI());
        CliRunner.Result r = CliRunner.run("loss", "--input", input.toString(), "--objective", "aot_unpaired");
        TinyRuns.assertOneLineError(r, "unknown objective 'aot_unpaired' (did you mean 'aot_pair'?");
    }

    @Test
    @DisplayName("the zoo profile names every zoo objective, not in the quick profile, and validates; --set names any zoo id")
    void zooProfile() throws Exception {
        ObjectNode tree;
        try (InputStream in = BenchCommand.class.getResourceAsStream("suites/zoo.yaml")) {
            tree = ConfigFiles.parse("zoo profile", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        JsonNode objectives = tree.at("/scenarios/reward_kl_frontier/objectives");
        for (String id : ZOO) {
            assertThat(objectives.has(id)).as(id).isTrue();
        }
        ObjectiveRegistry registry = ObjectiveRegistry.discover();
        SuiteSpec suite = SuiteSpec.read("zoo profile", tree, registry);
        assertThat(suite.scenarios()).extracting(SuiteSpec.ScenarioSpec::id).containsExactly("reward_kl_frontier");
        try (InputStream in = BenchCommand.class.getResourceAsStream("suites/quick.yaml")) {
            String quick = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(quick).doesNotContain("bco_pair").doesNotContain("fdpo");
        }
        ConfigFiles.applyOverrides(tree, List.of("scenarios.reward_kl_frontier.objectives={fdpo: [{divergence: js}]}"));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> SuiteSpec.read("zoo profile", tree, registry)))
                .hasMessageContaining("scenarios.reward_kl_frontier.objectives.fdpo[0].divergence")
                .hasMessageContaining("must be one of reverse_kl, forward_kl, js_divergence, alpha_divergence");
    }

    @Test
    @Tag("slow")
    @DisplayName("the MPO mixture of examples/configs (dpo + bco_pair + the sft term) validates and trains")
    void mpoMixture(@TempDir Path dir) throws Exception {
        Path mpo = Path.of("..", "examples", "configs", "mpo.yaml");
        assertThat(mpo).exists();
        CliRunner.Result check = CliRunner.run("train", mpo.toString(), "--validate-only", "--out",
                dir.resolve("v").toString());
        assertThat(check.exitCode()).as(check.err()).isZero();
        CliRunner.Result r = CliRunner.run("train", mpo.toString(), "--out", dir.resolve("run").toString(), "--cache",
                dir.resolve("cache").toString(), "--set", "sft.steps=20", "--set", "max_steps=2", "--set",
                "eval_every=2", "--set", "checkpoint_every=2", "--set", "evaluation.sample_prompts=2", "--set",
                "evaluation.max_new_tokens=4", "--set", "batch_size=8");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("trained 2 steps");
        String metrics = Files.readString(dir.resolve("run/metrics.jsonl"));
        assertThat(metrics).contains("bco_pair/").contains("dpo/");
    }
}
