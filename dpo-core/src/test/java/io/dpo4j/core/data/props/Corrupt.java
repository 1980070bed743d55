package io.dpo4j.core.data.props;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Byte- and text-level corruptions of well-formed input, for generators of malformed files:
 * truncation, invalid UTF-8, byte-order marks, line ends, blank lines and broken JSON.
 */
public final class Corrupt {

    /** The UTF-8 byte-order mark. */
    public static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    /**
     * Byte sequences that are not UTF-8: 0xFF, a lead byte followed by ASCII, a lone continuation
     * byte, an overlong '/', an encoded surrogate, a 4-byte sequence cut after 3, a 5-byte form.
     */
    public static final List<byte[]> INVALID_UTF8 = List.of(
            new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xC3, 'x'}, new byte[] {(byte) 0x80},
            new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
            new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80});

    /** Lines that hold only whitespace, or nothing. */
    public static final List<String> BLANK_LINES = List.of("", " ", "\t", "   \t ");

    /** The line ends a reader must accept. */
    public static final String LF = "\n";
    public static final String CRLF = "\r\n";

    /** The number of ways {@link #invalidJson} can break a JSON object. */
    public static final int INVALID_JSON_KINDS = 5;

    private Corrupt() {
    }

    /** One of {@link #INVALID_UTF8}. */
    public static Gen<byte[]> invalidUtf8() {
        return Gen.choose(INVALID_UTF8);
    }

    /** {@code bytes} with {@code inserted} put in before index {@code at}. */
    public static byte[] insert(byte[] bytes, int at, byte[] inserted) {
        if (at < 0 || at > bytes.length) {
            throw new IndexOutOfBoundsException(at);
        }
        byte[] out = new byte[bytes.length + inserted.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(bytes, at, out, at + inserted.length, bytes.length - at);
        return out;
    }

    /**
     * {@code bytes} with {@code inserted} put in strictly inside, at a place chosen by {@code where}
     * in [0, 1]: after the first byte and before the last. For JSON whose structure is ASCII, this
     * lands inside the object, between its braces.
     */
    public static byte[] insertInside(byte[] bytes, double where, byte[] inserted) {
        return insert(bytes, 1 + (int) Math.floor(where * (bytes.length - 2)), inserted);
    }

    /** {@code bytes} after a UTF-8 byte-order mark. */
    public static byte[] withBom(byte[] bytes) {
        return insert(bytes, 0, BOM);
    }

    /**
     * {@code s} cut after a code point chosen by {@code at} in [0, 1], keeping at least one and
     * dropping at least one; {@code s} must have two code points or more.
     */
    public static String truncate(String s, double at) {
        int points = s.codePointCount(0, s.length());
        if (points < 2) {
            throw new IllegalArgumentException("nothing to cut in '" + s + "'");
        }
        int keep = 1 + (int) Math.floor(at * (points - 2));
        return s.substring(0, s.offsetByCodePoints(0, Math.min(keep, points - 1)));
    }

    /**
     * A JSON object {@code json} (as written by Jackson: {@code {"key": value, ...}}, at least one
     * field) made invalid in one of {@link #INVALID_JSON_KINDS} ways: 0 a missing colon, 1 a trailing
     * comma, 2 single quotes around the first key, 3 a stray word after the object, 4 a second object
     * after it.
     */
    public static String invalidJson(String json, int kind) {
        return switch (kind) {
            case 0 -> json.replaceFirst("\": ", "\" ");
            case 1 -> json.substring(0, json.length() - 1) + ", }";
            case 2 -> "{'" + json.substring(2).replaceFirst("\": ", "': ");
            case 3 -> json + " x";
            case 4 -> json + " {\"prompt\": \"again\"}";
            default -> throw new IllegalArgumentException("kind " + kind);
        };
    }

    /**
     * Lines joined into a file: each line followed by its line end, except the last one when
     * {@code finalNewline} is false; a byte-order mark first when {@code bom}.
     */
    public static byte[] joinLines(List<byte[]> lines, List<String> endings, boolean bom, boolean finalNewline) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (bom) {
            out.writeBytes(BOM);
        }
        for (int i = 0; i < lines.size(); i++) {
            out.writeBytes(lines.get(i));
            if (i < lines.size() - 1 || finalNewline) {
                out.writeBytes(endings.get(i).getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toByteArray();
    }
}
