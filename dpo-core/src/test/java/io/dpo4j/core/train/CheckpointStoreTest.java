package io.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("CheckpointStore: atomic, verified, pruned")
class CheckpointStoreTest {

    @TempDir
    Path dir;

    private static void files(Path folder, String content) throws java.io.IOException {
        Files.writeString(folder.resolve("model.safetensors"), content);
        Files.createDirectories(folder.resolve("sub"));
        Files.writeString(folder.resolve("sub/state.json"), "{\"x\": 1}");
    }

    @Test
    @DisplayName("the newest verified checkpoint is found; only the newest 'keep' are kept")
    void writeAndPrune() throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("ck"), 2);
        for (long step : new long[] {10, 20, 30}) {
            store.write(step, f -> files(f, "weights at " + step));
        }
        assertThat(store.all()).extracting(CheckpointStore.Checkpoint::step).containsExactly(30L, 20L);
        assertThat(store.latestValid(m -> { }).orElseThrow().step()).isEqualTo(30);
        assertThat(Files.readString(store.latestValid(m -> { }).orElseThrow().folder().resolve("model.safetensors")))
                .isEqualTo("weights at 30");
    }

    @Test
    @DisplayName("a corrupt or unsealed newest checkpoint is detected and the previous one used")
    void corruptFallsBack() throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("ck"), 3);
        store.write(10, f -> files(f, "ten"));
        Path twenty = store.write(20, f -> files(f, "twenty"));
        Files.writeString(twenty.resolve("model.safetensors"), "twenty, bit-rotted");
        List<String> messages = new ArrayList<>();
        assertThat(store.latestValid(messages::add).orElseThrow().step()).isEqualTo(10);
        assertThat(messages).singleElement().asString().contains("model.safetensors does not match its checksum");
        Path thirty = dir.resolve("ck/step-00000030");
        Files.createDirectories(thirty);
        Files.writeString(thirty.resolve("model.safetensors"), "half");
        messages.clear();
        assertThat(store.latestValid(messages::add).orElseThrow().step()).isEqualTo(10);
        assertThat(messages.get(0)).contains("did not finish");
    }

    @Test
    @DisplayName("what a crash while writing or pruning leaves (.partial-*, .discarded-*) is never a checkpoint, and the next write clears it")
    void crashLeftovers() throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("ck"), 2);
        store.write(10, f -> files(f, "ten"));
        Path partial = Files.createDirectories(dir.resolve("ck/.partial-step-12-123"));
        files(partial, "twelve, cut");
        Path discarded = Files.createDirectories(dir.resolve("ck/.discarded-step-00000008-456"));
        Files.writeString(discarded.resolve("model.safetensors"), "half deleted");
        assertThat(store.all()).extracting(CheckpointStore.Checkpoint::step).containsExactly(10L);
        store.write(10, f -> files(f, "ten again"));
        assertThat(Files.readString(dir.resolve("ck/step-00000010/model.safetensors"))).isEqualTo("ten again");
        try (var s = Files.list(dir.resolve("ck"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("step-00000010");
        }
    }

    @Test
    @DisplayName("a writer that fails leaves no checkpoint and no temporary folder behind")
    void failedWrite() throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("ck"), 2);
        store.write(5, f -> files(f, "five"));
        try {
            store.write(6, f -> {
                files(f, "six");
                throw new java.io.IOException("disk full");
            });
        } catch (java.io.IOException expected) {
            assertThat(expected).hasMessage("disk full");
        }
        assertThat(store.all()).extracting(CheckpointStore.Checkpoint::step).containsExactly(5L);
        try (var s = Files.list(dir.resolve("ck"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("step-00000005");
        }
    }
}
