package io.dpo4j.core.train;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A supervised corpus for {@code dpo sft}: JSON Lines with a {@code text} field (or
 * {@code prompt} + {@code completion}, which are joined with a space). Malformed rows are errors that
 * name the file, the line and the field.
 */
public final class TextCorpus {

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** The longest row read (the default of data.max_row_bytes). */
    static final int MAX_ROW_BYTES = 16 << 20;
    /** The longest text read (the default of data.max_field_chars). */
    static final int MAX_TEXT_CHARS = 1_000_000;

    private TextCorpus() {
    }

    /** Every text of the file, in order. */
    public static List<String> read(Path file) {
        byte[] bytes;
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new DpoException(file + ": not a regular file (a folder, device or FIFO); expected a .jsonl file");
        }
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DpoException(file + ": no such file");
        } catch (IOException e) {
            throw new DpoException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<String> out = new ArrayList<>();
        int line = 0;
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                line++;
                if (i - start > MAX_ROW_BYTES) {
                    throw new DpoException(file + ":" + line + ": the row has " + (i - start) + " bytes, over the limit of "
                            + MAX_ROW_BYTES + " (as data.max_row_bytes' default); fix the row");
                }
                String text = decode(file, line, bytes, start, i);
                start = i + 1;
                if (line == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
                if (text.isBlank()) {
                    continue;
                }
                out.add(row(file, line, text));
            }
        }
        if (out.isEmpty()) {
            throw new DpoException(file + ": no rows; expected JSON Lines with a \"text\" field");
        }
        return out;
    }

    private static String decode(Path file, int line, byte[] bytes, int from, int to) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, from, to - from))
                    .toString().replace("\r", "");
        } catch (CharacterCodingException e) {
            throw new DpoException(file + ":" + line + ": not valid UTF-8");
        }
    }

    private static String row(Path file, int line, String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DpoException(file + ":" + line + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new DpoException(file + ":" + line + ": cannot parse: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw new DpoException(file + ":" + line + ": expected a JSON object with a \"text\" field");
        }
        if (n.has("text")) {
            return nonEmpty(file, line, "text", n.get("text"));
        }
        if (n.has("prompt") && n.has("completion")) {
            return nonEmpty(file, line, "prompt", n.get("prompt")) + " "
                    + nonEmpty(file, line, "completion", n.get("completion"));
        }
        throw new DpoException(file + ":" + line + ": field 'text' is missing (or give 'prompt' and 'completion')");
    }

    private static String nonEmpty(Path file, int line, String field, JsonNode v) {
        if (!v.isTextual()) {
            throw new DpoException(file + ":" + line + ": field '" + field + "': expected a string, found " + v.getNodeType()
                    .toString().toLowerCase(java.util.Locale.ROOT));
        }
        if (v.asText().isBlank()) {
            throw new DpoException(file + ":" + line + ": field '" + field + "' is empty");
        }
        if (v.asText().length() > MAX_TEXT_CHARS) {
            throw new DpoException(file + ":" + line + ": field '" + field + "': has " + v.asText().length()
                    + " characters, over the limit of " + MAX_TEXT_CHARS + " (as data.max_field_chars' default)");
        }
        return v.asText();
    }
}
