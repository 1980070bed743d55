package io.dpo4j.core.jinja;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The interpreter's edges that the rendered fixtures do not reach (ChatTemplateParityTest covers the rest). */
@DisplayName("JinjaTemplate: Python jinja2's semantics and failures, bounded")
class JinjaTemplateTest {

    private static String render(String source, Map<String, ?> context) {
        return JinjaTemplate.parse("t.jinja", source).render(context, RenderLimits.DEFAULT);
    }

    @Test
    @DisplayName("a missing key is undefined (false, empty), but using an undefined value's attribute fails naming the line")
    void undefined() {
        Map<String, Object> ctx = Map.of("m", Map.of("role", "user"));
        assertThat(render("{{ m.content is defined }}|{{ m.content }}|{{ m['tool_calls'] | length }}", ctx))
                .isEqualTo("False||0");
        assertThatThrownBy(() -> render("x\n{{ m.content.strip() }}", ctx)).isInstanceOf(JinjaException.class)
                .hasMessage("t.jinja:2: 'dict object' has no attribute 'content' is undefined");
    }

    @Test
    @DisplayName("Python's printing, arithmetic and string methods")
    void python() {
        assertThat(render("{{ none }} {{ true }} {{ 1.0 }} {{ 1e20 }} {{ 0.0001 }} {{ 1e-05 }} {{ -7 // 2 }} {{ -7 % 3 }}",
                Map.of())).isEqualTo("None True 1.0 1e+20 0.0001 1e-05 -4 2");
        assertThat(render("{{ '\\u00a0 x \\n'.strip() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a b  c'.split() }}|"
                + "{{ 'xxhixx'.strip('x') }}|{{ \"it's\" }}|{{ ['it\\'s'] }}", Map.of()))
                .isEqualTo("x|['a', 'b', '', 'c']|['a', 'b', 'c']|hi|it's|[\"it's\"]");
        assertThat(render("{{ {'a': [1, 'é', none]} | tojson }}|{{ 'x' | tojson(indent=2) }}", Map.of()))
                .isEqualTo("{\"a\": [1, \"é\", null]}|\"x\"");
        assertThat(render("{{ '😀ab'[1:] }}|{{ '😀ab' | length }}|{{ 'ab'[-1] }}", Map.of())).isEqualTo("ab|3|b");
    }

    @Test
    @DisplayName("a for loop's variables do not leak; a namespace carries values out")
    void scoping() {
        assertThat(render("{% set x = 1 %}{% for i in [1, 2] %}{% set x = i %}{% endfor %}{{ x }}"
                + "{% set ns = namespace(x=1) %}{% for i in [1, 2] %}{% set ns.x = i %}{% endfor %}{{ ns.x }}", Map.of()))
                .isEqualTo("12");
        assertThatThrownBy(() -> render("{% set x = 1 %}{% set x.y = 2 %}", Map.of()))
                .hasMessage("t.jinja:1: cannot assign attribute on non-namespace object ('x' is int)");
    }

    @Test
    @DisplayName("trim_blocks and lstrip_blocks as transformers sets them, and one trailing newline dropped")
    void whitespace() {
        assertThat(render("a\n  {% if true %}\n  b\n  {% endif %}\nc\n", Map.of())).isEqualTo("a\n  b\nc");
        assertThat(render("a  {%- if true -%}  b  {%+ endif %}", Map.of())).isEqualTo("ab  ");
    }

    @Test
    @DisplayName("unparsable, unknown and hostile templates fail with one message naming the template")
    void failures() {
        assertThatThrownBy(() -> JinjaTemplate.parse("t.jinja", "{% include 'x' %}"))
                .hasMessage("t.jinja:1: the tag '{% include %}' is not supported in chat templates");
        assertThatThrownBy(() -> JinjaTemplate.parse("t.jinja", "{{ x is frob }}")).hasMessage("t.jinja:1: unknown test 'frob'");
        assertThatThrownBy(() -> JinjaTemplate.parse("t.jinja", "{{ 'a' ".repeat(1) + "}"))
                .isInstanceOf(JinjaException.class);
        assertThatThrownBy(() -> JinjaTemplate.parse("t.jinja", "{{ " + "(".repeat(200_000) + "1" + ")".repeat(200_000) + " }}"))
                .hasMessage("t.jinja: the template nests too deeply to be read");
        // As in jinja2's sandbox, nothing of the host is reachable: unknown attributes are undefined.
        assertThat(render("{{ x.__class__ }}{{ x.upper.__globals__ }}{{ x.getClass }}", Map.of("x", "s"))).isEmpty();
        assertThatThrownBy(() -> render("{{ [1] * 1000000 }}", Map.of())).hasMessageContaining("(the range limit)");
        assertThat(JinjaTemplate.parse("t.jinja", "{{ messages | length }}").render(Map.of("messages", List.of(1, 2)),
                RenderLimits.DEFAULT)).isEqualTo("2");
    }
}
