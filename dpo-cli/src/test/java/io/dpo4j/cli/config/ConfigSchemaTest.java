package io.dpo4j.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dpo4j.core.registry.ObjectiveRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the configuration schema: declared once; the resolved file and the documentation derive from it")
class ConfigSchemaTest {

    static final String BEGIN = "<!-- config-schema:begin (generated from ConfigSchema; ConfigSchemaTest checks it) -->";
    static final String END = "<!-- config-schema:end -->";

    @Test
    @DisplayName("the table in docs/training.md is ConfigSchema.markdownTable()")
    void documentationTable() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "training.md"), StandardCharsets.UTF_8);
        int a = doc.indexOf(BEGIN);
        int b = doc.indexOf(END);
        assertThat(a).as("docs/training.md has the markers %s … %s", BEGIN, END).isGreaterThanOrEqualTo(0);
        assertThat(doc.substring(a + BEGIN.length(), b).strip())
                .as("regenerate the table: paste ConfigSchema.markdownTable() between the markers")
                .isEqualTo(ConfigSchema.markdownTable().strip());
    }

    @Test
    @DisplayName("the resolved configuration of the defaults holds every key of the schema, with its default")
    void resolvedDefaults() {
        TrainConfig c = TrainConfig.read("defaults", JsonNodeFactory.instance.objectNode(),
                p -> ObjectiveRegistry.discover());
        JsonNode tree = c.toTree();
        List<String> leaves = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = tree.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("objective")) {
                continue;
            }
            if (e.getValue().isObject()) {
                e.getValue().fieldNames().forEachRemaining(n -> leaves.add(e.getKey() + "." + n));
            } else {
                leaves.add(e.getKey());
            }
        }
        assertThat(leaves).containsExactlyInAnyOrderElementsOf(ConfigSchema.KEYS.stream().map(ConfigSchema.Key::path)
                .toList());
        for (ConfigSchema.Key k : ConfigSchema.KEYS) {
            JsonNode v = k.section().isEmpty() ? tree.get(k.name()) : tree.get(k.section()).get(k.name());
            String shown = v.isArray() ? v.toString().replace(",", ", ").replace("\"", "") : v.isNull() ? "null"
                    : v.asText();
            assertThat(shown).as(k.path()).isEqualTo(k.defaultText());
        }
    }
}
