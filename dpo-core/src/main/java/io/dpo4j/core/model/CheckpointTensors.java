package io.dpo4j.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.InputFiles;
import io.dpo4j.core.model.safetensors.SafetensorsFile;
import io.dpo4j.core.model.safetensors.TensorEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of a Hugging Face model folder: one {@code model.safetensors}, or the shards a
 * {@code model.safetensors.index.json} lists. Keeps the files open (memory-mapped on demand) until closed.
 */
final class CheckpointTensors implements AutoCloseable {

    /** Where one tensor lives. */
    record Located(SafetensorsFile file, TensorEntry entry) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<SafetensorsFile> files;
    private final Map<String, Located> tensors;

    private CheckpointTensors(List<SafetensorsFile> files, Map<String, Located> tensors) {
        this.files = files;
        this.tensors = tensors;
    }

    static CheckpointTensors open(Path folder) {
        Path single = folder.resolve(HuggingFaceCheckpoint.WEIGHTS);
        Path index = folder.resolve(HuggingFaceCheckpoint.INDEX);
        if (Files.isRegularFile(index)) {
            return openSharded(folder, index);
        }
        if (Files.isRegularFile(single)) {
            SafetensorsFile file = SafetensorsFile.open(single);
            Map<String, Located> tensors = new LinkedHashMap<>();
            file.tensors().values().forEach(e -> tensors.put(e.name(), new Located(file, e)));
            return new CheckpointTensors(List.of(file), tensors);
        }
        String hint = Files.exists(folder.resolve("pytorch_model.bin"))
                ? " (pytorch_model.bin is not supported: convert the checkpoint to safetensors)" : "";
        throw new DpoException(folder + ": no " + HuggingFaceCheckpoint.WEIGHTS + " or " + HuggingFaceCheckpoint.INDEX
                + " found" + hint);
    }

    private static CheckpointTensors openSharded(Path folder, Path index) {
        JsonNode root = InputFiles.readJson(index, InputFiles.INDEX_JSON_BYTES, HuggingFaceCheckpoint.INDEX);
        JsonNode weightMap = root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new DpoException(index + ": field weight_map is missing or not an object");
        }
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        Map<String, Located> tensors = new LinkedHashMap<>();
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
                String shard = e.getValue().asText();
                if (!e.getValue().isTextual() || shard.contains("/") || shard.contains("\\")) {
                    throw new DpoException(index + ": weight_map." + e.getKey() + " = " + e.getValue()
                            + ": expected a file name in the same folder");
                }
                SafetensorsFile file = byName.get(shard);
                if (file == null) {
                    Path shardPath = folder.resolve(shard);
                    if (!Files.isRegularFile(shardPath)) {
                        throw new DpoException(index + " lists " + shard + " (for tensor " + e.getKey()
                                + ") but " + shardPath + " does not exist");
                    }
                    file = SafetensorsFile.open(shardPath);
                    opened.add(file);
                    byName.put(shard, file);
                }
                TensorEntry entry = file.tensors().get(e.getKey());
                if (entry == null) {
                    throw new DpoException(index + " places tensor " + e.getKey() + " in " + shard
                            + ", which has no such tensor");
                }
                tensors.put(e.getKey(), new Located(file, entry));
            }
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
        return new CheckpointTensors(opened, tensors);
    }

    /** Every tensor by name. */
    Map<String, Located> tensors() {
        return tensors;
    }

    /** The file names, for messages. */
    String describeFiles() {
        return files.stream().map(f -> f.path().getFileName().toString()).reduce((a, b) -> a + ", " + b).orElse("");
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
