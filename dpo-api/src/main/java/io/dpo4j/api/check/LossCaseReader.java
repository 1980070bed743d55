package io.dpo4j.api.check;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.Statistic;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the loss-case JSON format (see {@link LossCase}) strictly: unknown fields, wrong types,
 * non-finite numbers, positive log-probs and token counts below one are errors that name the file,
 * the field and the reason. All problems in a file are reported together.
 */
public final class LossCaseReader {

    private static final Set<String> TOP_LEVEL = Set.of("objective", "params", "pairs", "examples", "kl");
    private static final Map<String, Statistic> PAIR_FIELDS = fields(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
            Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED, Statistic.CHOSEN_TOKENS, Statistic.REJECTED_TOKENS);
    private static final Map<String, Statistic> EXAMPLE_FIELDS = fields(Statistic.POLICY, Statistic.REFERENCE,
            Statistic.TOKENS, Statistic.DESIRABLE);
    private static final Map<String, Statistic> KL_FIELDS = Map.of("policy", Statistic.KL_POLICY,
            "reference", Statistic.KL_REFERENCE, "tokens", Statistic.TOKENS);

    /** The largest loss case file read (a regular file only). */
    public static final long MAX_BYTES = 16L << 20;

    private LossCaseReader() {
    }

    /** Reads a loss case from a UTF-8 file. */
    public static LossCase read(Path file) {
        String text;
        try {
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                throw new LossCaseFormatException(file + ": not a regular file (a folder, device or FIFO)");
            }
            if (Files.exists(file) && Files.size(file) > MAX_BYTES) {
                throw new LossCaseFormatException(file + ": " + Files.size(file) + " bytes, over the " + MAX_BYTES
                        + "-byte limit of a loss case");
            }
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new LossCaseFormatException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new LossCaseFormatException(file + ": not valid UTF-8 text");
        } catch (IOException e) {
            throw new LossCaseFormatException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(file.toString(), text);
    }

    /** Parses a loss case from JSON text; {@code source} names it in messages. */
    public static LossCase parse(String source, String json) {
        String text = json.startsWith("\uFEFF") ? json.substring(1) : json;
        JsonElement root = parseStrict(source, text);
        if (!root.isJsonObject()) {
            throw new LossCaseFormatException(source + ": expected a JSON object at the top level, found " + kind(root));
        }
        JsonObject obj = root.getAsJsonObject();
        List<String> errors = new ArrayList<>();
        for (String key : obj.keySet()) {
            if (!TOP_LEVEL.contains(key)) {
                errors.add(key + ": unknown field; expected objective, params, pairs (paired) or examples and kl (unpaired)");
            }
        }
        String objective = null;
        JsonElement objectiveElement = obj.get("objective");
        if (objectiveElement == null) {
            errors.add("objective: missing; expected an objective id such as \"dpo\"");
        } else if (!isString(objectiveElement)) {
            errors.add("objective: expected a string, found " + kind(objectiveElement));
        } else {
            objective = objectiveElement.getAsString();
        }
        Map<String, Object> params = new LinkedHashMap<>();
        JsonElement paramsElement = obj.get("params");
        if (paramsElement != null && !paramsElement.isJsonNull()) {
            if (!paramsElement.isJsonObject()) {
                errors.add("params: expected an object of name: value, found " + kind(paramsElement));
            } else {
                for (Map.Entry<String, JsonElement> e : paramsElement.getAsJsonObject().entrySet()) {
                    Object v = scalar(e.getValue());
                    if (v == null) {
                        errors.add("params." + e.getKey() + ": expected a number, a boolean or a string, found "
                                + kind(e.getValue()));
                    } else {
                        params.put(e.getKey(), v);
                    }
                }
            }
        }
        boolean hasPairs = obj.has("pairs");
        boolean hasExamples = obj.has("examples");
        DataLayout layout = null;
        Map<Statistic, double[]> columns = new EnumMap<>(Statistic.class);
        if (hasPairs == hasExamples) {
            errors.add(hasPairs ? "pairs, examples: give one of them, not both"
                    : "pairs: missing; give \"pairs\" (paired objectives) or \"examples\" (unpaired objectives)");
        } else if (hasPairs) {
            layout = DataLayout.PAIRED;
            if (obj.has("kl")) {
                errors.add("kl: only allowed with \"examples\" (unpaired data)");
            }
            readRows(obj.get("pairs"), "pairs", PAIR_FIELDS, Set.of("reference_chosen", "reference_rejected"), columns,
                    errors);
        } else {
            layout = DataLayout.UNPAIRED;
            readRows(obj.get("examples"), "examples", EXAMPLE_FIELDS, Set.of("reference"), columns, errors);
            if (obj.has("kl")) {
                Map<Statistic, double[]> kl = new EnumMap<>(Statistic.class);
                readRows(obj.get("kl"), "kl", KL_FIELDS, Set.of("tokens"), kl, errors);
                kl.remove(Statistic.TOKENS);
                columns.putAll(kl);
            }
        }
        if (!errors.isEmpty()) {
            StringBuilder sb = new StringBuilder(source).append(": ")
                    .append(errors.size() == 1 ? "1 problem" : errors.size() + " problems");
            errors.forEach(e -> sb.append("\n  - ").append(e));
            throw new LossCaseFormatException(sb.toString());
        }
        return new LossCase(source, objective, params, layout, columns);
    }

    private static JsonElement parseStrict(String source, String text) {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement root = new Gson().getAdapter(JsonElement.class).read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new LossCaseFormatException(source + ": unexpected text after the JSON value at " + location(reader));
            }
            return root;
        } catch (LossCaseFormatException e) {
            throw e;
        } catch (IOException | JsonParseException | IllegalStateException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int cut = msg.indexOf("\nSee https://");
            throw new LossCaseFormatException(source + ": not valid JSON: " + (cut >= 0 ? msg.substring(0, cut) : msg), e);
        }
    }

    private static String location(JsonReader reader) {
        String s = reader.toString();
        int at = s.indexOf(" at ");
        return at >= 0 ? s.substring(at + 4) : s;
    }

    private static void readRows(JsonElement element, String name, Map<String, Statistic> fields, Set<String> optional,
            Map<Statistic, double[]> columns, List<String> errors) {
        if (element == null || !element.isJsonArray()) {
            errors.add(name + ": expected an array of objects, found " + kind(element));
            return;
        }
        JsonArray rows = element.getAsJsonArray();
        if (rows.isEmpty()) {
            errors.add(name + ": empty; give at least one row");
            return;
        }
        int n = rows.size();
        Map<Statistic, double[]> local = new EnumMap<>(Statistic.class);
        Map<Statistic, Integer> present = new EnumMap<>(Statistic.class);
        for (int i = 0; i < n; i++) {
            String where = name + "[" + i + "]";
            JsonElement row = rows.get(i);
            if (!row.isJsonObject()) {
                errors.add(where + ": expected an object, found " + kind(row));
                continue;
            }
            JsonObject o = row.getAsJsonObject();
            for (String key : o.keySet()) {
                if (!fields.containsKey(key)) {
                    errors.add(where + "." + key + ": unknown field; expected " + String.join(", ", fields.keySet()));
                }
            }
            for (Map.Entry<String, Statistic> f : fields.entrySet()) {
                String field = where + "." + f.getKey();
                JsonElement v = o.get(f.getKey());
                if (v == null || v.isJsonNull()) {
                    if (!optional.contains(f.getKey())) {
                        errors.add(field + ": missing");
                    }
                    continue;
                }
                Double value = value(f.getValue(), v, field, errors);
                if (value != null) {
                    local.computeIfAbsent(f.getValue(), k -> new double[n])[i] = value;
                    present.merge(f.getValue(), 1, Integer::sum);
                }
            }
        }
        for (Map.Entry<Statistic, Integer> e : present.entrySet()) {
            if (e.getValue() != n) {
                errors.add(name + "[*]." + e.getKey().key().replace("kl_", "")
                        + ": given in " + e.getValue() + " of " + n + " rows; give it in every row or in none");
            }
        }
        columns.putAll(local);
    }

    private static Double value(Statistic statistic, JsonElement v, String field, List<String> errors) {
        if (statistic.kind() == Statistic.Kind.LABEL) {
            if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean()) {
                return v.getAsBoolean() ? 1.0 : 0.0;
            }
            errors.add(field + ": expected true or false, found " + kind(v));
            return null;
        }
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
            errors.add(field + ": expected a number, found " + kind(v));
            return null;
        }
        double d = v.getAsDouble();
        if (!Double.isFinite(d)) {
            errors.add(field + ": expected a finite number, found " + v);
            return null;
        }
        if (statistic.kind() == Statistic.Kind.TOKEN_COUNT) {
            if (d != Math.rint(d) || d < 1) {
                errors.add(field + ": a token count must be an integer >= 1, found " + v);
                return null;
            }
        } else if (d > 0) {
            errors.add(field + ": a summed log-probability must be <= 0, found " + v);
            return null;
        }
        return d;
    }

    private static Object scalar(JsonElement e) {
        if (e == null || !e.isJsonPrimitive()) {
            return null;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isNumber()) {
            return p.getAsDouble();
        }
        return p.getAsString();
    }

    private static boolean isString(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    private static String kind(JsonElement e) {
        if (e == null) {
            return "nothing";
        }
        if (e.isJsonNull()) {
            return "null";
        }
        if (e.isJsonArray()) {
            return "an array";
        }
        if (e.isJsonObject()) {
            return "an object";
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return "a boolean (" + p + ")";
        }
        if (p.isNumber()) {
            return "a number (" + p + ")";
        }
        String s = p.getAsString();
        return "a string (\"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\")";
    }

    private static Map<String, Statistic> fields(Statistic... statistics) {
        Map<String, Statistic> m = new LinkedHashMap<>();
        for (Statistic s : statistics) {
            m.put(s.key(), s);
        }
        return m;
    }

}
