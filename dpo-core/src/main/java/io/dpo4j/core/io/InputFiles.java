package io.dpo4j.core.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * Reads the small files that come with a model or a plugin ({@code config.json}, {@code
 * tokenizer.json}, {@code tokenizer_config.json}, service files, …) defensively: only a regular file
 * (never a device, FIFO or folder, even behind a symbolic link), and never more than a size limit —
 * so {@code /dev/zero} or a 10 GB file is refused with one line naming the file and the limit instead
 * of exhausting memory. A file that is not valid JSON is reported by line and column only: its content
 * (which may be anything) is never quoted.
 */
public final class InputFiles {

    /** Limit of {@code config.json}, {@code generation_config.json} and similar model settings. */
    public static final long CONFIG_JSON_BYTES = 16L << 20;
    /** Limit of {@code tokenizer.json} (the largest real ones are a few tens of MiB). */
    public static final long TOKENIZER_JSON_BYTES = 256L << 20;
    /** Limit of {@code tokenizer_config.json}, {@code special_tokens_map.json}, chat template files. */
    public static final long TOKENIZER_CONFIG_BYTES = 32L << 20;
    /** Limit of {@code model.safetensors.index.json}. */
    public static final long INDEX_JSON_BYTES = 64L << 20;
    /** Limit of a plugin jar's {@code META-INF/services} file (one class name per line). */
    public static final long SERVICES_FILE_BYTES = 1L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private InputFiles() {
    }

    /**
     * Checks that {@code file} is a regular file of at most {@code maxBytes} bytes.
     *
     * @param what what the file is for, for messages (e.g. "the model configuration")
     * @throws DpoException naming the file and the problem: missing, a folder, a device or another
     *     non-regular file, unreadable, or over the limit
     */
    public static void checkRegular(Path file, long maxBytes, String what) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new DpoException(file + ": file not found (" + what + ")");
        } catch (AccessDeniedException e) {
            throw new DpoException(file + ": permission denied (" + what + ")");
        } catch (IOException e) {
            throw new DpoException(file + ": cannot read (" + what + "): " + e.getClass().getSimpleName());
        }
        if (attributes.isDirectory()) {
            throw new DpoException(file + ": is a folder, not a file (" + what + ")");
        }
        if (!attributes.isRegularFile()) {
            throw new DpoException(file + ": is not a regular file (a device, FIFO or socket); " + what
                    + " must be an ordinary file");
        }
        if (attributes.size() > maxBytes) {
            throw tooLarge(file, attributes.size(), maxBytes, what);
        }
    }

    /** The bytes of a regular file of at most {@code maxBytes} (see {@link #checkRegular}). */
    public static byte[] readBytes(Path file, long maxBytes, String what) {
        checkRegular(file, maxBytes, what);
        try (InputStream in = Files.newInputStream(file)) {
            return readAtMost(in, maxBytes, file.toString(), what);
        } catch (AccessDeniedException e) {
            throw new DpoException(file + ": permission denied (" + what + ")");
        } catch (IOException e) {
            throw new DpoException(file + ": cannot read (" + what + "): " + e.getClass().getSimpleName());
        }
    }

    /** The UTF-8 text of a regular file of at most {@code maxBytes}; invalid UTF-8 is an error. */
    public static String readString(Path file, long maxBytes, String what) {
        byte[] bytes = readBytes(file, maxBytes, what);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new DpoException(file + ": not valid UTF-8 text (" + what + ")");
        }
    }

    /**
     * Parses a regular file of at most {@code maxBytes} as JSON. A syntax error names the line and
     * column, never the content.
     */
    public static JsonNode readJson(Path file, long maxBytes, String what) {
        byte[] bytes = readBytes(file, maxBytes, what);
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new DpoException(file + ": is empty; expected JSON (" + what + ")");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw notJson(file, e, what);
        } catch (IOException e) {
            throw new DpoException(file + ": cannot read (" + what + "): " + e.getClass().getSimpleName());
        }
    }

    /** The error for a file that is not valid JSON: its position, not its content. */
    public static DpoException notJson(Path file, JsonProcessingException e, String what) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        return new DpoException(file + ": not valid JSON" + where + "; " + what + " must be a JSON file");
    }

    /**
     * Reads a stream to its end, refusing more than {@code maxBytes} — for entries whose declared size
     * cannot be trusted (a compressed jar entry inflates to whatever it likes).
     */
    public static byte[] readAtMost(InputStream in, long maxBytes, String name, String what) throws IOException {
        int cap = (int) Math.min(maxBytes, Integer.MAX_VALUE - 16);
        byte[] bytes = in.readNBytes(cap);
        if (bytes.length == cap && in.read() >= 0) {
            throw new DpoException(name + ": larger than the " + human(maxBytes) + " limit for " + what
                    + "; refusing to read it");
        }
        return bytes;
    }

    private static DpoException tooLarge(Path file, long size, long maxBytes, String what) {
        return new DpoException(file + ": " + human(size) + ", over the " + human(maxBytes) + " limit for " + what
                + "; is this the right file?");
    }

    /** A byte count for messages: 16 MiB, 3.2 GiB, 512 bytes. */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f %s", v, units[u])
                : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
