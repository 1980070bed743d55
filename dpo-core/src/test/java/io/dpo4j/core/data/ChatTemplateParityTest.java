package io.dpo4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.jinja.RenderLimits;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Real chat templates of ten model families (Qwen3, Qwen2.5, Llama 2, Llama 3.1, Mistral, Gemma 3,
 * Phi-3, SmolLM2, DeepSeek V3, and one template of every construct) rendered by {@link ChatTemplate}
 * and compared character for character with Python's jinja2 configured as transformers configures it.
 * The fixtures in {@code src/test/resources/chat-templates} are written by {@code generate.py} there.
 */
@DisplayName("ChatTemplate renders real templates exactly as Python's jinja2 under transformers' settings")
class ChatTemplateParityTest {

    static final List<String> FAMILIES = List.of("qwen3", "qwen25", "llama2", "llama3_1", "mistral", "gemma3", "phi3",
            "smollm2", "deepseek_v3", "features");

    static JsonNode fixture(String family) throws IOException {
        try (InputStream in = ChatTemplateParityTest.class.getResourceAsStream("/chat-templates/" + family + ".json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static ChatTemplate template(JsonNode doc) {
        Map<String, Object> tokens = new LinkedHashMap<>();
        doc.get("special_tokens").properties().forEach(e -> tokens.put(e.getKey(), e.getValue().asText()));
        Clock clock = Clock.fixed(LocalDateTime.parse(doc.get("now").asText()).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
        return new ChatTemplate(doc.get("family").asText() + ".json", doc.get("template").asText(), tokens,
                RenderLimits.DEFAULT.withClock(clock));
    }

    static List<Message> messages(JsonNode list) {
        List<Message> out = new ArrayList<>();
        list.forEach(m -> out.add(new Message(m.get("role").asText(), m.get("content").asText())));
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureCase() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String family : FAMILIES) {
            JsonNode doc = fixture(family);
            ChatTemplate t = template(doc);
            int i = 0;
            for (JsonNode c : doc.get("cases")) {
                List<Message> messages = messages(c.get("messages"));
                boolean generation = c.get("add_generation_prompt").asBoolean();
                String label = family + " case " + i++ + (generation ? " (prompt)" : " (full)");
                tests.add(DynamicTest.dynamicTest(label, () -> {
                    if (c.has("raises")) {
                        assertThatThrownBy(() -> t.render(messages, generation)).isInstanceOf(ChatTemplateException.class)
                                .hasMessageEndingWith(c.get("raises").asText())
                                .satisfies(e -> assertThat(((ChatTemplateException) e).rejectedByTemplate()).isTrue());
                    } else {
                        assertThat(t.render(messages, generation)).isEqualTo(c.get("output").asText());
                    }
                }));
            }
        }
        assertThat(tests).hasSizeGreaterThan(100);
        return tests.stream();
    }
}
