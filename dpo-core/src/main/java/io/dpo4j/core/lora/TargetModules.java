package io.dpo4j.core.lora;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which linear layers get an adapter, as PEFT decides it: a list of names, each matching a module whose
 * name is that name or ends with {@code "." + name} (so {@code q_proj} matches
 * {@code model.layers.3.self_attn.q_proj}); or one regular expression that must match the whole module
 * name; or {@code all-linear}, every projection of the decoder layers (never the lm_head).
 */
public final class TargetModules {

    /** PEFT's shorthand for every linear layer but the output layer. */
    public static final String ALL_LINEAR = "all-linear";

    private final List<String> names;
    private final Pattern regex;

    private TargetModules(List<String> names, Pattern regex) {
        this.names = names;
        this.regex = regex;
    }

    /** Matches modules named (or ending in {@code "." +}) one of {@code names}. */
    public static TargetModules of(List<String> names) {
        Objects.requireNonNull(names, "names");
        if (names.isEmpty()) {
            throw new IllegalArgumentException("target_modules: the list is empty; name at least one module, e.g. "
                    + "[q_proj, v_proj]");
        }
        for (String n : names) {
            if (n == null || n.isBlank()) {
                throw new IllegalArgumentException("target_modules: an entry is empty");
            }
        }
        return new TargetModules(List.copyOf(names), null);
    }

    /** Matches modules whose whole name matches {@code regex} ({@code all-linear} is the shorthand). */
    public static TargetModules regex(String regex) {
        if (ALL_LINEAR.equals(regex)) {
            return new TargetModules(null, Pattern.compile("model\\.layers\\.\\d+\\.(self_attn|mlp)\\.[a-z_]+_proj"));
        }
        try {
            return new TargetModules(null, Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("target_modules: '" + regex + "' is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /** The PEFT default for Llama-family models: {@code [q_proj, v_proj]}. */
    public static TargetModules defaults() {
        return of(List.of("q_proj", "v_proj"));
    }

    /** True when {@code module} (a Hugging Face module name) is a target. */
    public boolean matches(String module) {
        if (regex != null) {
            return regex.matcher(module).matches();
        }
        for (String n : names) {
            if (module.equals(n) || module.endsWith("." + n)) {
                return true;
            }
        }
        return false;
    }

    /** The list form, or empty for a regex. */
    public List<String> names() {
        return names == null ? List.of() : names;
    }

    /** The regex (PEFT writes a string), or null for a list. */
    public String pattern() {
        return regex == null ? null : (names == null ? regex.pattern() : null);
    }

    /** True for the regex form. */
    public boolean isRegex() {
        return regex != null;
    }

    @Override
    public String toString() {
        return regex != null ? regex.pattern() : names.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TargetModules t && Objects.equals(names, t.names)
                && Objects.equals(regex == null ? null : regex.pattern(), t.regex == null ? null : t.regex.pattern());
    }

    @Override
    public int hashCode() {
        return Objects.hash(names, regex == null ? null : regex.pattern());
    }
}
