package io.dpo4j.core.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data_offsets must tile the data exactly, as the reference safetensors library requires. */
@DisplayName("safetensors data_offsets: overlapping, gapped or trailing bytes are refused naming the tensors")
class SafetensorsOffsetsTest {

    @TempDir
    Path dir;

    private Path file(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = dir.resolve("x.safetensors");
        Files.write(f, b.array());
        return f;
    }

    @Test
    @DisplayName("contiguous tensors, in any header order, and zero-sized tensors are accepted")
    void contiguous() throws IOException {
        Path f = file("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 16);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertThat(s.tensors()).containsOnlyKeys("a", "b", "e");
        }
    }

    @Test
    @DisplayName("two tensors sharing bytes: 'overlap', both named with their ranges")
    void overlap() throws IOException {
        Path f = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(DpoException.class)
                .hasMessageContaining("tensors a [0, 8] and b [4, 12] overlap");
    }

    @Test
    @DisplayName("bytes between two tensors, before the first or after the last belong to no tensor")
    void gaps() throws IOException {
        Path between = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12);
        assertThatThrownBy(() -> SafetensorsFile.open(between)).hasMessageContaining(
                "data bytes [4, 8) between tensors a and b belong to no tensor");
        Path before = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
        assertThatThrownBy(() -> SafetensorsFile.open(before)).hasMessageContaining(
                "data bytes [0, 4) before the first tensor a");
        Path after = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12);
        assertThatThrownBy(() -> SafetensorsFile.open(after)).hasMessageContaining(
                "the data has 12 bytes but the tensors cover only 4 (the last, a, ends there)");
    }
}
