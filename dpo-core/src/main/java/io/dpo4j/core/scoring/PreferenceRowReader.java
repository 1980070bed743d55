package io.dpo4j.core.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads preference pairs from JSONL: one object per line with string fields {@code prompt},
 * {@code chosen} and {@code rejected} (other fields are ignored; blank lines are skipped). Errors name
 * the file, the line and the field.
 */
public final class PreferenceRowReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PreferenceRowReader() {
    }

    /**
     * Reads every row of a file.
     *
     * @throws DpoException for a missing file, invalid JSON, a missing field or a field that is not a string
     */
    public static List<PreferenceRow> read(Path file) {
        List<PreferenceRow> rows = new ArrayList<>();
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new DpoException(file + ": not a regular file (a folder, device or FIFO); expected a .jsonl file");
        }
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            BoundedLines lines = new BoundedLines(reader);
            while ((text = lines.next()) != null) {
                line++;
                if (text == TOO_LONG) {
                    throw new DpoException(file + ":" + line + ": the row is longer than " + MAX_ROW_CHARS
                            + " characters (the limit of one row); fix the row");
                }
                if (!text.isBlank()) {
                    rows.add(parse(file, line, text));
                }
            }
        } catch (NoSuchFileException e) {
            throw new DpoException(file + ": file not found");
        } catch (IOException e) {
            throw new DpoException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new DpoException(file + ": no rows (expected JSON lines with prompt, chosen and rejected)");
        }
        return rows;
    }

    /** The longest row read (as data.max_row_bytes' default for training). */
    static final int MAX_ROW_CHARS = 16 << 20;
    private static final String TOO_LONG = new String("row too long");

    /** Lines of at most {@link #MAX_ROW_CHARS} characters; a longer one is read past and reported. */
    private static final class BoundedLines {
        private final BufferedReader reader;
        private final char[] buffer = new char[1 << 16];
        private int pos;
        private int end;

        BoundedLines(BufferedReader reader) {
            this.reader = reader;
        }

        /** The next line, {@link #TOO_LONG} for one over the limit, or null at the end. */
        String next() throws IOException {
            StringBuilder sb = new StringBuilder();
            boolean over = false;
            boolean any = false;
            while (true) {
                if (pos == end) {
                    end = Math.max(0, reader.read(buffer, 0, buffer.length));
                    pos = 0;
                    if (end == 0) {
                        break;
                    }
                }
                any = true;
                int i = pos;
                while (i < end && buffer[i] != '\n') {
                    i++;
                }
                if (!over && sb.length() + (i - pos) > MAX_ROW_CHARS) {
                    over = true;
                    sb = new StringBuilder();
                }
                if (!over) {
                    sb.append(buffer, pos, i - pos);
                }
                boolean newline = i < end;
                pos = newline ? i + 1 : end;
                if (newline) {
                    break;
                }
            }
            if (!any) {
                return null;
            }
            if (over) {
                return TOO_LONG;
            }
            int n = sb.length();
            return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
        }
    }

    /** Parses one line. */
    static PreferenceRow parse(Path file, int line, String text) {
        JsonNode json;
        try {
            json = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new DpoException(file + ":" + line + ": invalid JSON (" + e.getOriginalMessage() + ")");
        }
        if (json == null || !json.isObject()) {
            throw new DpoException(file + ":" + line + ": expected a JSON object with prompt, chosen and rejected");
        }
        return new PreferenceRow(line, field(file, line, json, "prompt"), field(file, line, json, "chosen"),
                field(file, line, json, "rejected"));
    }

    private static String field(Path file, int line, JsonNode json, String name) {
        JsonNode value = json.get(name);
        if (value == null) {
            throw new DpoException(file + ":" + line + ": field " + name + " is missing");
        }
        if (!value.isTextual()) {
            throw new DpoException(file + ":" + line + ": field " + name + " must be a string, found "
                    + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return value.asText();
    }
}
