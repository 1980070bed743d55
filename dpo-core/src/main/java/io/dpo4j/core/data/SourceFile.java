package io.dpo4j.core.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.dpo4j.core.DpoException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * by line, so that an invalid byte sequence is reported with its line. The file is streamed, never
 * read whole, and no row longer than the limit is ever held in memory.
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

    /** Reads and splits a file with the default limits. */
    static SourceFile read(Path path) {
        return read(path, LoadOptions.defaults());
    }

    /**
     * Reads and splits a file, streaming: a row longer than {@link LoadOptions#maxRowBytes} is read
     * past without being held in memory and becomes a bad row ({@link BadRowReason#ROW_TOO_LONG}) — in
     * a JSON array, an error naming its line — so the memory used is bounded by the limit, whatever the
     * file holds.
     *
     * @throws DpoException when the file cannot be read, its kind cannot be told, or a JSON array is
     *     broken (invalid UTF-8 or JSON syntax, an element over the limit: its rows have no reliable
     *     bounds then)
     */
    static SourceFile read(Path path, LoadOptions options) {
        String name = path.toString();
        if (Files.isDirectory(path)) {
            throw new DpoException(name + ": is a directory; expected a .jsonl or .json file");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw new DpoException(name + ": is not a regular file (a device, FIFO or socket); expected a .jsonl or "
                    + ".json file");
        }
        Head head = head(path, name);
        if (head.gzip()) {
            throw new DpoException(name + ": is gzip-compressed; decompress it first (expected JSON Lines or a JSON array)");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        boolean array;
        if (lower.endsWith(".jsonl")) {
            array = false;
        } else if (lower.endsWith(".json")) {
            // Hugging Face's to_json writes JSON Lines under .json: only '[' means an array.
            array = head.first() == '[';
        } else if (head.first() < 0 || head.first() == '{') {
            array = false;
        } else if (head.first() == '[') {
            array = true;
        } else {
            throw new DpoException(name + ": cannot tell whether this is JSON Lines or a JSON array: it starts with "
                    + describeByte((byte) head.first()) + " where '{' or '[' was expected; name it .jsonl or .json");
        }
        try (InputStream in = open(path, name)) {
            return new SourceFile(name, array, array ? arrayRows(name, in, options) : lineRows(name, in, options));
        } catch (IOException e) {
            throw cannotRead(name, e);
        }
    }

    /** The first bytes of a file: gzip's magic number, and the first byte that is not blank (or -1). */
    private record Head(boolean gzip, int first) {
    }

    private static Head head(Path path, String name) {
        try (InputStream in = open(path, name)) {
            in.mark(4);
            byte[] start = in.readNBytes(3);
            if (start.length >= 2 && (start[0] & 0xff) == 0x1f && (start[1] & 0xff) == 0x8b) {
                return new Head(true, 0x1f);
            }
            in.reset();
            skipBom(in);
            int b;
            do {
                b = in.read();
            } while (b >= 0 && isJsonSpace((byte) b));
            return new Head(false, b);
        } catch (IOException e) {
            throw cannotRead(name, e);
        }
    }

    /** Skips a UTF-8 byte-order mark at the stream's position (which must support mark). */
    private static void skipBom(InputStream in) throws IOException {
        in.mark(4);
        byte[] start = in.readNBytes(3);
        if (!hasBom(start, 0, start.length)) {
            in.reset();
        }
    }

    private static InputStream open(Path path, String name) {
        try {
            return new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new DpoException(name + ": no such file");
        } catch (AccessDeniedException e) {
            throw new DpoException(name + ": permission denied");
        } catch (IOException e) {
            throw cannotRead(name, e);
        }
    }

    private static DpoException cannotRead(String name, IOException e) {
        if (e instanceof AccessDeniedException) {
            return new DpoException(name + ": permission denied");
        }
        return new DpoException(name + ": cannot read the file: " + e.getMessage(), e);
    }

    private static List<RawRow> lineRows(String name, InputStream in, LoadOptions options) throws IOException {
        List<RawRow> rows = new ArrayList<>();
        CharsetDecoder decoder = strictDecoder();
        skipBom(in);
        LineReader lines = new LineReader(in, options.maxRowBytes());
        int line = 0;
        while (lines.next()) {
            line++;
            byte[] bytes = lines.bytes();
            int from = 0;
            int to = lines.length();
            if (to > from && bytes[to - 1] == '\r') {
                to--;
            }
            // A byte-order mark may start the file, or a line of concatenated files.
            if (hasBom(bytes, from, to) && from + 3 <= to) {
                from += 3;
            }
            if (lines.overLimit()) {
                rows.add(new RawRow(line, name + ":" + line, null, new BadRowException(BadRowReason.ROW_TOO_LONG, null,
                        "the row has " + lines.totalLength() + " bytes, over the limit data.max_row_bytes = "
                                + options.maxRowBytes() + " (raise it, or fix the row)")));
                continue;
            }
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

    private static List<RawRow> arrayRows(String name, InputStream in, LoadOptions options) throws IOException {
        long limit = options.maxRowBytes();
        skipBom(in);
        RecordingReader reader = new RecordingReader(new StrictUtf8Reader(in), limit);
        List<RawRow> rows = new ArrayList<>();
        int line = 1;
        try (JsonParser parser = JsonValues.LENIENT.createParser(reader)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new DpoException(name + ": expected a JSON array");
            }
            int index = 0;
            JsonToken token;
            reader.startRow(parser.currentLocation().getCharOffset());
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token == null) {
                    throw new DpoException(name + ":" + parser.currentLocation().getLineNr()
                            + ": the JSON array ends early (no closing ']')" + ARRAY_HINT);
                }
                JsonLocation at = parser.currentTokenLocation();
                line = at.getLineNr();
                long begin = at.getCharOffset();
                reader.startRow(begin);
                if (token.isStructStart()) {
                    parser.skipChildren();
                } else {
                    parser.getText(); // completes a lazily read string, so the end offset is right
                }
                long finish = parser.currentLocation().getCharOffset();
                if (finish - begin > limit) {
                    throw tooLong(name, line, index, limit);
                }
                rows.add(new RawRow(line, name + "[" + index + "]", reader.slice(begin, finish), null));
                reader.startRow(finish);
                index++;
            }
            if (parser.nextToken() != null) {
                throw new DpoException(name + ":" + parser.currentTokenLocation().getLineNr()
                        + ": content after the closing ']' of the JSON array");
            }
        } catch (RecordingReader.RowTooLongException e) {
            throw tooLong(name, line, rows.size(), limit);
        } catch (StrictUtf8Reader.InvalidUtf8Exception e) {
            throw new DpoException(e.fault().messageAt(name + ":" + e.line()) + ARRAY_HINT);
        } catch (JacksonException e) {
            if (e.getCause() instanceof RecordingReader.RowTooLongException) {
                throw tooLong(name, line, rows.size(), limit);
            }
            if (e.getCause() instanceof StrictUtf8Reader.InvalidUtf8Exception u) {
                throw new DpoException(u.fault().messageAt(name + ":" + u.line()) + ARRAY_HINT);
            }
            int at = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new DpoException(name + (at > 0 ? ":" + at : "") + ": invalid JSON: "
                    + JsonValues.abbreviate(e.getOriginalMessage()) + ARRAY_HINT);
        }
        return rows;
    }

    private static DpoException tooLong(String name, int line, int index, long limit) {
        return new DpoException(name + ":" + line + ": element " + index + " of the JSON array is longer than the limit "
                + "data.max_row_bytes = " + limit + " (raise it, or fix the row)" + ARRAY_HINT);
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

    static String describeByte(byte b) {
        int v = b & 0xff;
        return v >= 0x21 && v < 0x7f ? "'" + (char) v + "'" : String.format("byte 0x%02x", v);
    }

    private static boolean hasBom(byte[] bytes, int at, int length) {
        return at + 2 < length && (bytes[at] & 0xff) == 0xef && (bytes[at + 1] & 0xff) == 0xbb
                && (bytes[at + 2] & 0xff) == 0xbf;
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

}
