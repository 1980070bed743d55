package io.dpo4j.core.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import io.dpo4j.core.DpoException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("safetensors files")
class SafetensorsFileTest {

    @TempDir
    Path dir;

    /** Writes a file byte by byte as the format specifies, independent of the writer under test. */
    private Path handMade(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path file = dir.resolve("hand.safetensors");
        Files.write(file, b.array());
        return file;
    }

    private static byte[] littleEndianFloats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    @Nested
    @DisplayName("reading")
    class Reading {

        @Test
        @DisplayName("a hand-made file gives its tensors, shapes, metadata and values")
        void readsHandMadeFile() throws IOException {
            byte[] floats = littleEndianFloats(1.5f, -2f, 3.25f, 0f, 7f, -8.5f);
            ByteBuffer data = ByteBuffer.allocate(24 + 4).order(ByteOrder.LITTLE_ENDIAN).put(floats);
            data.putShort((short) 0x3F80).putShort((short) 0xC000); // bf16 1.0, -2.0
            String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                    + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                    + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[24,28]}}";
            try (SafetensorsFile f = SafetensorsFile.open(handMade(header, data.array()))) {
                assertThat(f.metadata()).containsEntry("format", "pt");
                assertThat(f.tensors().keySet()).containsExactly("w", "b");
                TensorEntry w = f.tensors().get("w");
                assertThat(w.shape()).isEqualTo(new Shape(2, 3));
                assertThat(w.dtype()).contains(TensorDtype.F32);
                assertThat(f.readAsFloat32(w)).containsExactly(1.5f, -2f, 3.25f, 0f, 7f, -8.5f);
                assertThat(f.readAsFloat32(f.tensors().get("b"))).containsExactly(1f, -2f);
            }
        }

        @Test
        @DisplayName("reads through mapping windows smaller than a tensor give the same values")
        void smallWindowsGiveSameValues() throws IOException {
            float[] values = new float[1000];
            for (int i = 0; i < values.length; i++) {
                values[i] = i * 0.5f - 100;
            }
            Path file = dir.resolve("w.safetensors");
            SafetensorsWriter.write(file, List.of(new ArraySource("x", TensorDtype.F32, new Shape(10, 100), values),
                    new ArraySource("y", TensorDtype.BF16, new Shape(1000), values)), Map.of());
            try (SafetensorsFile f = SafetensorsFile.open(file, 12)) {
                assertThat(f.readAsFloat32(f.tensors().get("x"))).containsExactly(values);
                float[] part = new float[7];
                f.readAsFloat32(f.tensors().get("y"), 501, 7, FloatBuffer.wrap(part));
                for (int i = 0; i < 7; i++) {
                    assertThat(part[i]).isEqualTo(
                            HalfPrecision.bfloat16ToFloat(HalfPrecision.floatToBfloat16(values[501 + i])));
                }
            }
        }

        @Test
        @DisplayName("tensor data beyond 2 GiB is read (a sparse 2.4 GB file)")
        void readsBeyondTwoGibibytes() throws IOException {
            long elements = 600_000_000L;
            String header = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + elements + "],\"data_offsets\":[0,"
                    + elements * 4 + "]}}";
            byte[] h = header.getBytes(StandardCharsets.UTF_8);
            Path file = dir.resolve("big.safetensors");
            long dataStart = 8 + h.length;
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(dataStart + elements * 4); // sparse: no disk space used
                raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
                raf.write(h);
                raf.seek(dataStart + (elements - 3) * 4);
                raf.write(littleEndianFloats(1.25f, -2.5f, 3.75f));
            }
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                TensorEntry big = f.tensors().get("big");
                assertThat(big.byteCount()).isGreaterThan(Integer.MAX_VALUE);
                float[] tail = new float[4];
                f.readAsFloat32(big, elements - 4, 4, FloatBuffer.wrap(tail));
                assertThat(tail).containsExactly(0f, 1.25f, -2.5f, 3.75f);
            }
        }

        @Test
        @DisplayName("a dtype other than F32, BF16 and F16 is refused when read, naming tensor and dtype")
        void refusesOtherDtypes() throws IOException {
            String header = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
            try (SafetensorsFile f = SafetensorsFile.open(handMade(header, new byte[8]))) {
                assertThatThrownBy(() -> f.readAsFloat32(f.tensors().get("ids"))).isInstanceOf(DpoException.class)
                        .hasMessageContaining("tensor ids").hasMessageContaining("I64");
            }
        }
    }

    @Nested
    @DisplayName("writing")
    class Writing {

        @Test
        @DisplayName("the header is padded to 8 bytes, tensors follow in order, every dtype reads back")
        void writesEveryDtype() throws IOException {
            float[] values = {1f, -0.5f, 3.140625f, 65504f, 1e-3f, -7f};
            Path file = dir.resolve("out.safetensors");
            List<TensorSource> tensors = List.of(
                    new ArraySource("a", TensorDtype.F32, new Shape(2, 3), values),
                    new ArraySource("b", TensorDtype.BF16, new Shape(3, 2), values),
                    new ArraySource("c", TensorDtype.F16, new Shape(6), values));
            long bytes = SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
            assertThat(bytes).isEqualTo(24 + 12 + 12);
            ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            long headerLength = raw.getLong(0);
            assertThat(headerLength % 8).isZero();
            assertThat(raw.capacity()).isEqualTo(8 + headerLength + bytes);
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertThat(f.tensors().keySet()).containsExactly("a", "b", "c");
                assertThat(f.metadata()).containsEntry("format", "pt");
                assertThat(f.readAsFloat32(f.tensors().get("a"))).containsExactly(values);
                float[] b = f.readAsFloat32(f.tensors().get("b"));
                float[] c = f.readAsFloat32(f.tensors().get("c"));
                for (int i = 0; i < values.length; i++) {
                    assertThat(b[i]).isEqualTo(HalfPrecision.bfloat16ToFloat(HalfPrecision.floatToBfloat16(values[i])));
                    assertThat(c[i]).isEqualTo(HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(values[i])));
                }
            }
        }
    }

    @Nested
    @DisplayName("corrupt files are refused with the file and the problem")
    class Corrupt {

        @Test
        @DisplayName("a missing file")
        void missingFile() {
            Path file = dir.resolve("absent.safetensors");
            assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(DpoException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("not found");
        }

        @Test
        @DisplayName("a file shorter than the length field")
        void tooShort() throws IOException {
            Path file = dir.resolve("short.safetensors");
            Files.write(file, new byte[] {1, 2, 3});
            assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(DpoException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("8-byte header length");
        }

        @Test
        @DisplayName("a header length beyond the end of the file")
        void headerLengthTooLarge() throws IOException {
            Path file = dir.resolve("long.safetensors");
            Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
            assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("header length 1000");
        }

        @Test
        @DisplayName("a header that is not JSON")
        void headerNotJson() throws IOException {
            Path file = handMade("{\"w\": [oops", new byte[0]);
            assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("not valid JSON");
        }

        @Test
        @DisplayName("a tensor without a dtype")
        void missingDtype() throws IOException {
            Path file = handMade("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
            assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("tensor w has no dtype");
        }

        @Test
        @DisplayName("offsets beyond the data")
        void offsetsOutside() throws IOException {
            Path file = handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);
            assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("tensor w").hasMessageContaining("outside the 8 data bytes");
        }

        @Test
        @DisplayName("offsets that do not match the shape")
        void offsetsDisagreeWithShape() throws IOException {
            Path file = handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
            assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(DpoException.class)
                    .hasMessageContaining("needs 12 bytes but data_offsets give 8");
        }
    }

    /** A tensor held in a float array. */
    record ArraySource(String name, TensorDtype dtype, Shape shape, float[] values) implements TensorSource {
        @Override
        public float[] readRows(long firstRow, int rowCount) {
            int from = (int) (firstRow * rowSize());
            return java.util.Arrays.copyOfRange(values, from, from + (int) (rowCount * rowSize()));
        }
    }
}
