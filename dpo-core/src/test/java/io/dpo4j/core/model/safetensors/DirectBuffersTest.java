package io.dpo4j.core.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Direct and mapped buffers freed at once")
class DirectBuffersTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("a direct buffer and a file mapping are released; heap buffers, slices and null are left alone")
    void frees() throws Exception {
        assertThat(DirectBuffers.free(ByteBuffer.allocateDirect(1 << 20))).isTrue();
        assertThat(DirectBuffers.free(ByteBuffer.allocate(16))).isFalse();
        assertThat(DirectBuffers.free(null)).isFalse();
        ByteBuffer parent = ByteBuffer.allocateDirect(64);
        assertThat(DirectBuffers.free(parent.slice(0, 8))).isFalse();
        assertThat(DirectBuffers.free(parent)).isTrue();
        Path file = Files.write(dir.resolve("f"), new byte[4096]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer window = channel.map(FileChannel.MapMode.READ_ONLY, 0, 4096);
            assertThat(window.get(100)).isZero();
            assertThat(DirectBuffers.free(window)).isTrue();
        }
    }
}
