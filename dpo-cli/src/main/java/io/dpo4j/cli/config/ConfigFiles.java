package io.dpo4j.cli.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.dpo4j.core.DpoException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads YAML configuration files (duplicate keys are errors), applies {@code --set key=value}
 * overrides (dotted paths; values parsed as YAML scalars or flow collections), and writes trees back
 * as YAML.
 */
public final class ConfigFiles {

    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private ConfigFiles() {
    }

    /** The largest configuration file read (a regular file only: never a device or FIFO). */
    public static final long MAX_BYTES = 4L << 20;

    /** Reads a YAML file into a tree; an empty file is an empty mapping. */
    public static ObjectNode load(Path file) {
        if (!Files.exists(file)) {
            throw new DpoException(file + ": no such configuration file");
        }
        String text = io.dpo4j.core.io.InputFiles.readString(file, MAX_BYTES, "a configuration file");
        return parse(file.toString(), text);
    }

    /** Parses YAML text; {@code source} names it in messages. */
    public static ObjectNode parse(String source, String text) {
        JsonNode node;
        try {
            node = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr();
            throw new DpoException(source + where + ": not valid YAML: " + e.getOriginalMessage().lines().findFirst()
                    .orElse(""), e);
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw new DpoException(source + ": the configuration must be a mapping of key: value at the top level");
        }
        return (ObjectNode) node;
    }

    /**
     * Applies overrides of the form {@code a.b.c=value} to {@code tree} (in place), creating
     * intermediate mappings. The value is parsed as YAML ({@code 0.1}, {@code true}, {@code [a, b]});
     * what does not parse is taken as a string.
     */
    public static void applyOverrides(ObjectNode tree, List<String> overrides) {
        List<String> errors = new ArrayList<>();
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                errors.add("--set " + o + ": expected KEY=VALUE, e.g. --set optimizer.lr=1e-3");
                continue;
            }
            String key = o.substring(0, eq).trim();
            String raw = o.substring(eq + 1);
            String[] parts = key.split("\\.");
            ObjectNode at = tree;
            boolean ok = true;
            for (int i = 0; i < parts.length - 1 && ok; i++) {
                JsonNode next = at.get(parts[i]);
                if (next == null || next.isNull()) {
                    at = at.putObject(parts[i]);
                } else if (next.isObject()) {
                    at = (ObjectNode) next;
                } else {
                    errors.add("--set " + o + ": '" + String.join(".", java.util.Arrays.copyOf(parts, i + 1))
                            + "' is not a mapping");
                    ok = false;
                }
            }
            if (ok) {
                at.set(parts[parts.length - 1], scalar(raw));
            }
        }
        if (!errors.isEmpty()) {
            throw new DpoException(String.join("\n", errors));
        }
    }

    private static JsonNode scalar(String raw) {
        try {
            JsonNode n = YAML.readTree(raw);
            return n == null || n.isMissingNode() ? TextNode.valueOf(raw) : n;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(raw);
        }
    }

    /** A tree as YAML text. */
    public static String toYaml(JsonNode tree) {
        try {
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The YAML mapper used here (duplicate keys are errors). */
    public static YAMLMapper yaml() {
        return YAML;
    }
}
