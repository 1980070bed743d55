package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("dpo loss: the hand-check tool, as a user runs it")
class LossCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path cases() throws URISyntaxException {
        return Path.of(LossCommandTest.class.getResource("/loss-cases").toURI());
    }

    @TestFactory
    @DisplayName("every independent fixture case matches: loss and every gradient to 1e-6 relative")
    Stream<DynamicTest> fixtures() throws Exception {
        try (Stream<Path> files = Files.list(cases())) {
            return files.filter(p -> p.toString().endsWith(".json") && !p.toString().endsWith(".expected.json"))
                    .sorted().toList().stream().map(input -> DynamicTest.dynamicTest(input.getFileName().toString(),
                            () -> check(input)));
        }
    }

    private static void check(Path input) throws IOException {
        CliRunner.Result r = CliRunner.run("loss", "--input", input.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode got = JSON.readTree(r.out());
        JsonNode want = JSON.readTree(input.resolveSibling(input.getFileName().toString()
                .replace(".json", ".expected.json")).toFile());
        assertRel(got.get("loss").asDouble(), want.get("loss").asDouble(), "loss");
        Iterator<Map.Entry<String, JsonNode>> it = want.get("gradients").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode g = got.get("gradients").get(e.getKey());
            assertThat(g).as("gradient %s", e.getKey()).isNotNull();
            assertThat(g.size()).isEqualTo(e.getValue().size());
            for (int i = 0; i < g.size(); i++) {
                assertRel(g.get(i).asDouble(), e.getValue().get(i).asDouble(), e.getKey() + "[" + i + "]");
            }
        }
        assertThat(got.get("metrics").get("loss").asDouble()).isEqualTo(got.get("loss").asDouble());
    }

    private static void assertRel(double got, double want, String what) {
        assertThat(Math.abs(got - want)).as("%s: got %s, want %s", what, got, want)
                .isLessThanOrEqualTo(1e-6 * Math.abs(want) + 1e-15);
    }

    @Test
    @DisplayName("--param overrides the file's parameters; KTO accepts paired data by unpairing it")
    void overridesAndUnpairing() throws Exception {
        Path input = cases().resolve("case-00.json");
        CliRunner.Result r = CliRunner.run("loss", "-i", input.toString(), "--param", "beta=0.5");
        assertThat(JSON.readTree(r.out()).at("/params/beta").asDouble()).isEqualTo(0.5);
        CliRunner.Result kto = CliRunner.run("loss", "-i", input.toString(), "--objective", "kto");
        assertThat(kto.exitCode()).as(kto.err()).isZero();
        JsonNode out = JSON.readTree(kto.out());
        assertThat(out.at("/gradients/policy_chosen").size()).isEqualTo(5);
        assertThat(out.at("/gradients/policy_chosen/0").asDouble()).isNegative();
        assertThat(out.at("/gradients/policy_rejected/0").asDouble()).isPositive();
        assertThat(kto.err()).contains("warning: kto: no mismatched pairs");
    }

    @Test
    @DisplayName("an unknown objective lists the known ids and exits non-zero without a stack trace")
    void unknownObjective(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("in.json");
        Files.writeString(input, Files.readString(cases().resolve("case-00.json")).replace("\"dpo\"", "\"dpoo\""));
        CliRunner.Result r = CliRunner.run("loss", "--input", input.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: " + input + ": field objective: unknown objective 'dpoo'")
                .contains("did you mean 'dpo'").contains("known objectives: aot, aot_pair, apo_down")
                .contains("dpo, dpop, exo_pair, fdpo, hinge, ipo, kto").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    @DisplayName("every invalid parameter is named with its value and rule, all at once")
    void invalidParameters() throws Exception {
        CliRunner.Result r = CliRunner.run("loss", "-i", cases().resolve("case-04.json").toString(),
                "-p", "beta=0", "-p", "length_normalised=true");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("2 invalid parameters for objective 'ipo'")
                .contains("beta = \"0\": must be > 0")
                .contains("length_normalised = \"true\": unknown parameter of 'ipo' (did you mean 'length_normalized'?)");
    }

    @Test
    @DisplayName("malformed input names the file, the field and the reason; --verbose adds the stack trace")
    void malformedInput(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("bad.json");
        Files.writeString(input, "{\"objective\": \"simpo\", \"pairs\": [{\"policy_chosen\": -1}]}");
        CliRunner.Result r = CliRunner.run("loss", "-i", input.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains(input + ": 3 problems").contains("pairs[0].policy_rejected: missing")
                .doesNotContain("\tat ");
        CliRunner.Result verbose = CliRunner.run("--verbose", "loss", "-i", input.toString());
        assertThat(verbose.err()).contains("\tat ");
        CliRunner.Result missing = CliRunner.run("loss", "-i", dir.resolve("nope.json").toString());
        assertThat(missing.err()).contains("nope.json: no such file");
        CliRunner.Result wrongLayout = CliRunner.run("loss", "-i", cases().resolve("case-12.json").toString(),
                "--objective", "dpo");
        assertThat(wrongLayout.err()).contains("objective 'dpo' needs paired data");
    }
}
