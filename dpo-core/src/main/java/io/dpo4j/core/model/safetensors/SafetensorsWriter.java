package io.dpo4j.core.model.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files: the header (tensors in the given order, {@code __metadata__} first, padded
 * with spaces to a multiple of 8 bytes as the reference implementation does), then each tensor's
 * little-endian bytes, streamed in blocks of rows.
 *
 * <p>Blocks are small (512 KiB) and encoded into one buffer reused for the whole file: a block's
 * float array stays below G1's humongous-object size, so it dies young and saving a 2 GB model does not
 * grow the heap by gigabytes of blocks waiting for an old-generation collection.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BLOCK_BYTES = 512L * 1024;

    private SafetensorsWriter() {
    }

    /**
     * Writes the tensors to {@code file} (created or truncated) and returns the number of data bytes.
     *
     * @param metadata the {@code __metadata__} strings (Hugging Face expects {@code "format": "pt"})
     */
    public static long write(Path file, List<? extends TensorSource> tensors, Map<String, String> metadata)
            throws IOException {
        byte[] header = header(tensors, metadata);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(out, length);
            writeFully(out, ByteBuffer.wrap(header));
            long total = 0;
            ByteBuffer block = ByteBuffer.allocate((int) BLOCK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (TensorSource t : tensors) {
                total += writeTensor(out, t, block);
            }
            out.force(true);
            return total;
        } catch (IOException e) {
            throw io.dpo4j.core.io.ResourceFailures.withPath(file, e);
        }
    }

    private static byte[] header(List<? extends TensorSource> tensors, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (TensorSource t : tensors) {
            ObjectNode node = root.putObject(t.name());
            node.put("dtype", t.dtype().name());
            ArrayNode shape = node.putArray("shape");
            for (long d : t.shape().getShape()) {
                shape.add(d);
            }
            ArrayNode offsets = node.putArray("data_offsets");
            offsets.add(offset);
            offset += t.byteCount();
            offsets.add(offset);
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = new byte[padded];
        System.arraycopy(json, 0, header, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            header[i] = ' ';
        }
        return header;
    }

    private static long writeTensor(FileChannel out, TensorSource t, ByteBuffer block) throws IOException {
        long rows = t.rows();
        long rowSize = t.rowSize();
        long rowBytes = Math.max(1, rowSize * t.dtype().bytes());
        int rowsPerBlock = (int) Math.max(1, Math.min(Integer.MAX_VALUE / Math.max(1, rowSize),
                BLOCK_BYTES / rowBytes));
        long written = 0;
        for (long r = 0; r < rows; r += rowsPerBlock) {
            int n = (int) Math.min(rowsPerBlock, rows - r);
            float[] values = t.readRows(r, n);
            if (values.length != n * rowSize) {
                throw new IllegalStateException("tensor " + t.name() + ": rows " + r + ".." + (r + n) + " gave "
                        + values.length + " values, expected " + n * rowSize);
            }
            ByteBuffer bytes = values.length * t.dtype().bytes() <= block.capacity()
                    ? encode(values, t.dtype(), block) : encode(values, t.dtype());
            written += bytes.remaining();
            writeFully(out, bytes);
        }
        return written;
    }

    /** The little-endian bytes of float32 values stored as {@code dtype}. */
    static ByteBuffer encode(float[] values, TensorDtype dtype) {
        return encode(values, dtype, ByteBuffer.allocate(values.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** As {@link #encode(float[], TensorDtype)}, into {@code into} (cleared; big enough): a view of the bytes. */
    private static ByteBuffer encode(float[] values, TensorDtype dtype, ByteBuffer into) {
        into.clear();
        ByteBuffer bytes = into.limit(values.length * dtype.bytes()).slice().order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> bytes.asFloatBuffer().put(values);
            case BF16 -> {
                for (int i = 0; i < values.length; i++) {
                    bytes.putShort(2 * i, HalfPrecision.floatToBfloat16(values[i]));
                }
            }
            case F16 -> {
                for (int i = 0; i < values.length; i++) {
                    bytes.putShort(2 * i, HalfPrecision.floatToHalf(values[i]));
                }
            }
            default -> throw new IllegalStateException(dtype.name());
        }
        return bytes;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
