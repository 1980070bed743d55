package io.dpo4j.core.jinja;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed Jinja2 template, rendered with the semantics of Python's jinja2 as transformers configures
 * it for chat templates ({@code trim_blocks}, {@code lstrip_blocks}, the loop controls, an immutable
 * sandbox, its {@code tojson}, {@code raise_exception} and {@code strftime_now}).
 *
 * <p>Values in the context are {@code String}, {@code Boolean}, {@code Long}/{@code Integer},
 * {@code Double}, {@code null} (None), {@code List} and {@code Map} of these. Every failure is a
 * {@link JinjaException} whose message starts with the template's name and line.
 */
public final class JinjaTemplate {

    private final String name;
    private final List<Node> body;

    private JinjaTemplate(String name, List<Node> body) {
        this.name = name;
        this.body = body;
    }

    /**
     * Parses a template.
     *
     * @param name how messages name the template (its file, usually)
     * @throws JinjaException of kind {@link JinjaException.Kind#SYNTAX} for a template that does not parse
     */
    public static JinjaTemplate parse(String name, String source) {
        Objects.requireNonNull(source, "source");
        try {
            return new JinjaTemplate(name, Parser.parse(name, Lexer.tokenize(name, source)));
        } catch (StackOverflowError e) {
            throw new JinjaException(JinjaException.Kind.SYNTAX, name + ": the template nests too deeply to be read",
                    "the template nests too deeply to be read");
        }
    }

    /** The name messages use. */
    public String name() {
        return name;
    }

    /**
     * Renders the template.
     *
     * @throws JinjaException when rendering fails, a limit is exceeded or the template raises
     */
    public String render(Map<String, ?> context, RenderLimits limits) {
        Map<String, Object> values = new java.util.HashMap<>();
        context.forEach((k, v) -> values.put(k, normalise(v)));
        return new Interpreter(name, limits).render(body, values);
    }

    /** Integers as Long, lists and maps copied with normalised values. */
    private static Object normalise(Object v) {
        if (v instanceof Integer i) {
            return (long) i;
        }
        if (v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return (double) f;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new java.util.ArrayList<>(l.size());
            l.forEach(x -> out.add(normalise(x)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, x) -> out.put(normalise(k), normalise(x)));
            return out;
        }
        return v;
    }
}
