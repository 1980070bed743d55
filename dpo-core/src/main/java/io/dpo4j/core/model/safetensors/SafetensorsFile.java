package io.dpo4j.core.model.safetensors;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A safetensors file opened for reading: the header is parsed and checked up front, tensor data is
 * memory-mapped on demand in windows below 2 GiB, so files of any size can be read (unlike DJL's
 * {@code NDList.decode}).
 *
 * <p>The format: an 8-byte little-endian header length {@code n}, {@code n} bytes of JSON mapping
 * each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an optional
 * {@code "__metadata__"} object of strings), then the raw little-endian tensor bytes.
 */
public final class SafetensorsFile implements Closeable {

    /** The format's own limit on the JSON header. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final long DEFAULT_WINDOW_BYTES = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorEntry> tensors;
    private final Map<String, String> metadata;
    private final long windowBytes;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorEntry> tensors,
            Map<String, String> metadata, long windowBytes) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
        this.windowBytes = windowBytes;
    }

    /**
     * Opens and checks a safetensors file.
     *
     * @throws DpoException when the file is missing or unreadable, or its header is corrupt (bad
     *     length, invalid JSON, a tensor without dtype, shape or offsets, offsets outside the data or
     *     not matching the shape)
     */
    public static SafetensorsFile open(Path file) {
        return open(file, DEFAULT_WINDOW_BYTES);
    }

    /** Opens a file reading at most {@code windowBytes} per memory mapping (tests use small windows). */
    static SafetensorsFile open(Path file, long windowBytes) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new DpoException(file + ": file not found");
        } catch (IOException e) {
            throw new DpoException(file + ": cannot open: " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw corrupt(file, "the file has " + size + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw corrupt(file, "header length " + headerLength + " is impossible for a file of " + size
                        + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            String header = new String(headerBytes.array(), StandardCharsets.UTF_8);
            long dataStart = 8 + headerLength;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorEntry> tensors = parseHeader(file, header, size - dataStart, metadata);
            return new SafetensorsFile(file, channel, dataStart, Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(metadata), windowBytes);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new DpoException(file + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static Map<String, TensorEntry> parseHeader(Path file, String header, long dataSize,
            Map<String, String> metadata) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JsonProcessingException e) {
            // Its position only: the header's content is not the user's to see quoted back.
            String at = e.getLocation() == null ? "" : " (at character " + e.getLocation().getColumnNr() + ")";
            throw corrupt(file, "the header is not valid JSON" + at);
        }
        if (root == null || !root.isObject()) {
            throw corrupt(file, "the header is not a JSON object");
        }
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            JsonNode node = field.getValue();
            if ("__metadata__".equals(name)) {
                if (!node.isObject()) {
                    throw corrupt(file, "__metadata__ is not an object");
                }
                node.properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(name, parseEntry(file, name, node, dataSize));
        }
        checkContiguous(file, tensors, dataSize);
        return tensors;
    }

    /**
     * As the reference library does: the tensors' byte ranges, in order, must tile the data exactly —
     * no two overlap, no gap between them, nothing after the last one.
     */
    private static void checkContiguous(Path file, Map<String, TensorEntry> tensors, long dataSize) {
        List<TensorEntry> ordered = new ArrayList<>(tensors.values());
        ordered.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        long expected = 0;
        TensorEntry previous = null;
        for (TensorEntry e : ordered) {
            if (e.begin() < expected) {
                throw corrupt(file, "tensors " + previous.name() + " " + range(previous) + " and " + e.name() + " "
                        + range(e) + " overlap (data_offsets must not share bytes)");
            }
            if (e.begin() > expected) {
                throw corrupt(file, "data bytes [" + expected + ", " + e.begin() + ") "
                        + (previous == null ? "before the first tensor " + e.name() : "between tensors " + previous.name()
                        + " and " + e.name()) + " belong to no tensor (data_offsets must be contiguous)");
            }
            expected = e.end();
            previous = e;
        }
        if (expected != dataSize) {
            throw corrupt(file, "the data has " + dataSize + " bytes but the tensors cover only " + expected
                    + (previous == null ? "" : " (the last, " + previous.name() + ", ends there)")
                    + "; trailing bytes belong to no tensor");
        }
    }

    private static String range(TensorEntry e) {
        return "[" + e.begin() + ", " + e.end() + "]";
    }

    private static TensorEntry parseEntry(Path file, String name, JsonNode node, long dataSize) {
        if (!node.isObject()) {
            throw corrupt(file, "tensor " + name + " is not an object");
        }
        JsonNode dtype = node.get("dtype");
        if (dtype == null || !dtype.isTextual()) {
            throw corrupt(file, "tensor " + name + " has no dtype");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw corrupt(file, "tensor " + name + " has no shape");
        }
        long[] dims = new long[shapeNode.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw corrupt(file, "tensor " + name + " has an invalid shape " + shapeNode);
            }
            dims[i] = d.asLong();
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber()
                || !offsets.get(1).isIntegralNumber()) {
            throw corrupt(file, "tensor " + name + " has no valid data_offsets");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw corrupt(file, "tensor " + name + " has data_offsets [" + begin + ", " + end
                    + "] outside the " + dataSize + " data bytes");
        }
        Shape shape = new Shape(dims);
        long elementBytes = bytesOf(dtype.asText());
        long needed;
        try {
            needed = elementBytes;
            for (long d : dims) {
                needed = Math.multiplyExact(needed, d);
            }
        } catch (ArithmeticException e) {
            throw corrupt(file, "tensor " + name + " has an impossible shape " + shape);
        }
        if (elementBytes > 0 && needed != end - begin) {
            throw corrupt(file, "tensor " + name + " of dtype " + dtype.asText() + " and shape " + shape
                    + " needs " + needed + " bytes but data_offsets give " + (end - begin));
        }
        return new TensorEntry(name, dtype.asText(), shape, begin, end);
    }

    /** Bytes per element of every safetensors dtype, or 0 for an unknown name (its size is not checked). */
    private static long bytesOf(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> 0;
        };
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** Every tensor in header order, by name. */
    public Map<String, TensorEntry> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} strings (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Reads {@code count} elements of a tensor, starting at element {@code first} (row-major order),
     * widened to float32, into {@code dst} at its position.
     *
     * @throws DpoException when the tensor's dtype is not F32, BF16 or F16
     */
    public void readAsFloat32(TensorEntry entry, long first, int count, FloatBuffer dst) {
        TensorDtype dtype = entry.dtype().orElseThrow(() -> new DpoException(path + ": tensor " + entry.name()
                + " has dtype " + entry.dtypeName() + "; only F32, BF16 and F16 are supported"));
        if (first < 0 || count < 0 || first + count > entry.elementCount()) {
            throw new IllegalArgumentException("elements [" + first + ", " + (first + count) + ") outside tensor "
                    + entry.name() + " of " + entry.elementCount());
        }
        long elementsPerWindow = Math.max(1, windowBytes / dtype.bytes());
        long done = 0;
        while (done < count) {
            int n = (int) Math.min(elementsPerWindow, count - done);
            long position = dataStart + entry.begin() + (first + done) * dtype.bytes();
            MappedByteBuffer window;
            try {
                window = channel.map(FileChannel.MapMode.READ_ONLY, position, (long) n * dtype.bytes());
            } catch (IOException e) {
                throw new DpoException(path + ": cannot map tensor " + entry.name() + ": " + e.getMessage(), e);
            }
            window.order(ByteOrder.LITTLE_ENDIAN);
            switch (dtype) {
                case F32 -> dst.put(window.asFloatBuffer());
                case BF16 -> {
                    ShortBuffer s = window.asShortBuffer();
                    for (int i = 0; i < n; i++) {
                        dst.put(HalfPrecision.bfloat16ToFloat(s.get(i)));
                    }
                }
                case F16 -> {
                    ShortBuffer s = window.asShortBuffer();
                    for (int i = 0; i < n; i++) {
                        dst.put(HalfPrecision.halfToFloat(s.get(i)));
                    }
                }
                default -> throw new IllegalStateException(dtype.name());
            }
            DirectBuffers.free(window); // unmapped now: file pages would stay resident until a collection
            done += n;
        }
    }

    /** Reads a whole tensor (below 2^31 elements) as float32. */
    public float[] readAsFloat32(TensorEntry entry) {
        float[] values = new float[Math.toIntExact(entry.elementCount())];
        readAsFloat32(entry, 0, values.length, FloatBuffer.wrap(values));
        return values;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long p = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, p);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            p += n;
        }
    }

    private static DpoException corrupt(Path file, String problem) {
        return new DpoException(file + ": not a valid safetensors file: " + problem);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do: the file was only read
        }
    }
}
