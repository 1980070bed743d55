package io.dpo4j.core.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.dpo4j.core.DpoException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A data file split into raw rows: the non-blank lines of a JSON Lines file, or the elements of a
 * JSON array, each with its line number and its fallback id. Bytes are decoded as strict UTF-8 line
 * by line, so that an invalid byte sequence is reported with its line.
 */
final class SourceFile {

    /**
     * One row before JSON parsing.
     *
     * @param line 1-based line where the row starts
     * @param fallbackId the id when the row has none: {@code file:line}, or {@code file[index]} in an array
     * @param text the row's JSON text, or null when {@code fault} is set
     * @param fault why the row could not even be decoded, or null
     */
    record RawRow(int line, String fallbackId, String text, BadRowException fault) {
    }

    private static final String ARRAY_HINT =
            " (a JSON array file cannot skip a broken row: fix the file, or convert it to JSON Lines)";

    private final String name;
    private final boolean jsonArray;
    private final List<RawRow> rows;

    private SourceFile(String name, boolean jsonArray, List<RawRow> rows) {
        this.name = name;
        this.jsonArray = jsonArray;
        this.rows = rows;
    }

    /** The file as the user named it, for messages. */
    String name() {
        return name;
    }

    /** True for a JSON array file, false for JSON Lines. */
    boolean isJsonArray() {
        return jsonArray;
    }

    /** The rows, blank lines left out. */
    List<RawRow> rows() {
        return rows;
    }

    /**
     * Reads and splits a file.
     *
     * @throws DpoException when the file cannot be read, its kind cannot be told, or a JSON array is
     *     broken (invalid UTF-8 or JSON syntax: its rows have no reliable bounds then)
     */
    static SourceFile read(Path path) {
        String name = path.toString();
        if (Files.isDirectory(path)) {
            throw new DpoException(name + ": is a directory; expected a .jsonl or .json file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new DpoException(name + ": no such file");
        } catch (AccessDeniedException e) {
            throw new DpoException(name + ": permission denied");
        } catch (IOException e) {
            throw new DpoException(name + ": cannot read the file: " + e.getMessage(), e);
        }
        int start = hasBom(bytes, 0) ? 3 : 0;
        int first = firstNonBlank(bytes, start);
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            throw new DpoException(name + ": is gzip-compressed; decompress it first (expected JSON Lines or a JSON array)");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        boolean array;
        if (lower.endsWith(".jsonl")) {
            array = false;
        } else if (lower.endsWith(".json")) {
            // Hugging Face's to_json writes JSON Lines under .json: only '[' means an array.
            array = first >= 0 && bytes[first] == '[';
        } else if (first < 0 || bytes[first] == '{') {
            array = false;
        } else if (bytes[first] == '[') {
            array = true;
        } else {
            throw new DpoException(name + ": cannot tell whether this is JSON Lines or a JSON array: it starts with "
                    + describeByte(bytes[first]) + " where '{' or '[' was expected; name it .jsonl or .json");
        }
        return new SourceFile(name, array, array ? arrayRows(name, bytes, start) : lineRows(name, bytes, start));
    }

    private static List<RawRow> lineRows(String name, byte[] bytes, int start) {
        List<RawRow> rows = new ArrayList<>();
        CharsetDecoder decoder = strictDecoder();
        int line = 0;
        int pos = start;
        while (pos < bytes.length) {
            int end = indexOf(bytes, (byte) '\n', pos);
            line++;
            int from = pos;
            int to = end;
            if (to > from && bytes[to - 1] == '\r') {
                to--;
            }
            // A byte-order mark may also start a line of concatenated files.
            if (hasBom(bytes, from) && from + 3 <= to) {
                from += 3;
            }
            pos = end + 1;
            if (isBlank(bytes, from, to)) {
                continue;
            }
            String fallback = name + ":" + line;
            try {
                rows.add(new RawRow(line, fallback, decode(decoder, bytes, from, to), null));
            } catch (BadRowException e) {
                rows.add(new RawRow(line, fallback, null, e));
            }
        }
        return rows;
    }

    private static List<RawRow> arrayRows(String name, byte[] bytes, int start) {
        // Decode line by line first, so that an invalid byte is reported with its line.
        StringBuilder text = new StringBuilder(bytes.length);
        CharsetDecoder decoder = strictDecoder();
        int line = 0;
        int pos = start;
        while (pos < bytes.length) {
            int end = indexOf(bytes, (byte) '\n', pos);
            line++;
            try {
                text.append(decode(decoder, bytes, pos, end));
            } catch (BadRowException e) {
                throw new DpoException(e.messageAt(name + ":" + line) + ARRAY_HINT);
            }
            if (end < bytes.length) {
                text.append('\n');
            }
            pos = end + 1;
        }
        String json = text.toString();
        List<RawRow> rows = new ArrayList<>();
        try (JsonParser parser = JsonValues.LENIENT.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new DpoException(name + ": expected a JSON array");
            }
            int index = 0;
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token == null) {
                    throw new DpoException(name + ":" + parser.currentLocation().getLineNr()
                            + ": the JSON array ends early (no closing ']')" + ARRAY_HINT);
                }
                JsonLocation at = parser.currentTokenLocation();
                int begin = Math.toIntExact(at.getCharOffset());
                if (token.isStructStart()) {
                    parser.skipChildren();
                } else {
                    parser.getText(); // completes a lazily read string, so the end offset is right
                }
                int finish = Math.toIntExact(parser.currentLocation().getCharOffset());
                rows.add(new RawRow(at.getLineNr(), name + "[" + index + "]", json.substring(begin, finish), null));
                index++;
            }
            if (parser.nextToken() != null) {
                throw new DpoException(name + ":" + parser.currentTokenLocation().getLineNr()
                        + ": content after the closing ']' of the JSON array");
            }
        } catch (JacksonException e) {
            int at = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new DpoException(name + (at > 0 ? ":" + at : "") + ": invalid JSON: "
                    + JsonValues.abbreviate(e.getOriginalMessage()) + ARRAY_HINT);
        } catch (IOException e) {
            throw new DpoException(name + ": cannot read the file: " + e.getMessage(), e);
        }
        return rows;
    }

    private static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static String decode(CharsetDecoder decoder, byte[] bytes, int from, int to) throws BadRowException {
        decoder.reset();
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        CharBuffer out = CharBuffer.allocate(to - from);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position() - from;
            throw new BadRowException(BadRowReason.INVALID_UTF8, null,
                    "invalid UTF-8 at byte " + (offset + 1) + " of the line (" + describeByte(bytes[from + offset]) + ")");
        }
        out.flip();
        return out.toString();
    }

    private static String describeByte(byte b) {
        int v = b & 0xff;
        return v >= 0x21 && v < 0x7f ? "'" + (char) v + "'" : String.format("byte 0x%02x", v);
    }

    private static boolean hasBom(byte[] bytes, int at) {
        return at + 2 < bytes.length && (bytes[at] & 0xff) == 0xef && (bytes[at + 1] & 0xff) == 0xbb
                && (bytes[at + 2] & 0xff) == 0xbf;
    }

    private static int firstNonBlank(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (!isJsonSpace(bytes[i])) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isBlank(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isJsonSpace(bytes[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean isJsonSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return bytes.length;
    }
}
