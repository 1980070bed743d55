package io.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.io.InputFiles;
import io.dpo4j.core.model.safetensors.DirectBuffers;
import io.dpo4j.core.model.safetensors.SafetensorsFile;
import io.dpo4j.core.model.safetensors.SafetensorsWriter;
import io.dpo4j.core.model.safetensors.TensorDtype;
import io.dpo4j.core.model.safetensors.TensorEntry;
import io.dpo4j.core.model.safetensors.TensorSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Loads and saves Llama-family models in the Hugging Face folder layout: {@code config.json},
 * {@code model.safetensors} (or {@code model-0000i-of-0000n.safetensors} shards with
 * {@code model.safetensors.index.json}), and the tokenizer files, so that a model trained here opens in
 * other tools. Weights stored as F32, BF16 or F16 are widened to float32 in Java on load and narrowed
 * back (round to nearest even) on save: a save → load round trip is bit-identical.
 */
public final class HuggingFaceCheckpoint {

    /** The configuration file. */
    public static final String CONFIG = "config.json";
    /** The single weights file. */
    public static final String WEIGHTS = "model.safetensors";
    /** The index of sharded weights. */
    public static final String INDEX = "model.safetensors.index.json";
    /** Tokenizer and generation files copied along with the weights when present. */
    public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "tokenizer.model", "vocab.json", "merges.txt", "added_tokens.json",
            "chat_template.jinja", "chat_template.json", "generation_config.json");

    /** Largest float32 block created at once while loading (2^27 elements, 512 MiB). */
    private static final long LOAD_BLOCK_ELEMENTS = 1L << 27;
    private static final ObjectMapper JSON = new ObjectMapper();

    private HuggingFaceCheckpoint() {
    }

    /**
     * Loads a model folder onto a new base manager, which the model owns.
     *
     * @throws DpoException for a missing folder or file, an unsupported or malformed configuration, a
     *     corrupt safetensors header, a missing, unexpected or wrongly shaped tensor, or a weight that is
     *     NaN or infinite (naming the tensor)
     */
    public static LlamaModel load(Path folder) {
        return load(folder, NDManager.newBaseManager());
    }

    /**
     * Loads a model folder; its parameters live on {@code manager}, which the returned model owns and
     * closes (it is also closed if loading fails).
     */
    public static LlamaModel load(Path folder, NDManager manager) {
        try {
            return loadInto(folder, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static LlamaModel loadInto(Path folder, NDManager manager) {
        if (!Files.isDirectory(folder)) {
            throw new DpoException(folder + ": model folder not found");
        }
        Path configPath = folder.resolve(CONFIG);
        LlamaConfig config = LlamaConfig.read(configPath);
        ObjectNode configJson = (ObjectNode) InputFiles.readJson(configPath, InputFiles.CONFIG_JSON_BYTES, "config.json");
        try (CheckpointTensors checkpoint = CheckpointTensors.open(folder)) {
            checkNoUnexpected(folder, config, checkpoint);
            Map<String, NDArray> parameters = new LinkedHashMap<>();
            Set<TensorDtype> stored = EnumSet.noneOf(TensorDtype.class);
            for (ParameterSpec spec : config.parameterSpecs()) {
                CheckpointTensors.Located located = locate(folder, checkpoint, spec);
                TensorEntry entry = located.entry();
                TensorDtype dtype = entry.dtype().orElseThrow();
                stored.add(dtype);
                parameters.put(spec.name(), readFloat32(manager, located.file(), entry));
            }
            TensorDtype storage = stored.size() == 1 ? stored.iterator().next() : config.storageDtype();
            return LlamaModel.of(config.withStorageDtype(storage), manager, parameters, configJson,
                    folder.toAbsolutePath());
        }
    }

    /**
     * Checks a model folder without reading any weight: {@code config.json}, the safetensors headers
     * (offsets, shapes, dtypes), and that the tensors are exactly the ones the configuration calls for.
     * (Non-finite values are found when the weights are read.)
     *
     * @throws DpoException naming the file and the problem
     */
    public static void checkHeaders(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new DpoException(folder + ": model folder not found");
        }
        LlamaConfig config = LlamaConfig.read(folder.resolve(CONFIG));
        try (CheckpointTensors checkpoint = CheckpointTensors.open(folder)) {
            checkNoUnexpected(folder, config, checkpoint);
            for (ParameterSpec spec : config.parameterSpecs()) {
                locate(folder, checkpoint, spec);
            }
        }
    }

    /** The stored tensor of a parameter, checked: present, of the right shape and a supported dtype. */
    private static CheckpointTensors.Located locate(Path folder, CheckpointTensors checkpoint, ParameterSpec spec) {
        CheckpointTensors.Located located = checkpoint.tensors().get(spec.name());
        if (located == null) {
            throw new DpoException(folder + ": tensor " + spec.name() + " (shape " + spec.shape()
                    + ") is missing from " + checkpoint.describeFiles());
        }
        TensorEntry entry = located.entry();
        if (!entry.shape().equals(spec.shape())) {
            throw new DpoException(located.file().path() + ": tensor " + spec.name() + ": expected shape "
                    + spec.shape() + ", found " + entry.shape());
        }
        if (entry.dtype().isEmpty()) {
            throw new DpoException(located.file().path() + ": tensor " + spec.name() + " has dtype "
                    + entry.dtypeName() + "; only F32, BF16 and F16 are supported");
        }
        return located;
    }

    private static void checkNoUnexpected(Path folder, LlamaConfig config, CheckpointTensors checkpoint) {
        Set<String> expected = config.parameterSpecs().stream().map(ParameterSpec::name).collect(Collectors.toSet());
        List<String> unexpected = new ArrayList<>();
        for (String name : checkpoint.tensors().keySet()) {
            boolean ignorable = name.endsWith(".rotary_emb.inv_freq") // a buffer some old checkpoints saved
                    || (config.tieWordEmbeddings() && name.equals("lm_head.weight")); // tied: the embedding is used
            if (!expected.contains(name) && !ignorable) {
                unexpected.add(name);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new DpoException(folder + ": " + unexpected.size() + " tensor(s) that config.json does not call for "
                    + "(check attention_bias, mlp_bias, tie_word_embeddings, num_hidden_layers): "
                    + String.join(", ", unexpected.subList(0, Math.min(5, unexpected.size())))
                    + (unexpected.size() > 5 ? ", …" : ""));
        }
    }

    /** Creates a float32 array from a stored tensor, in blocks of rows so any size fits a buffer. */
    private static NDArray readFloat32(NDManager manager, SafetensorsFile file, TensorEntry entry) {
        return readFloat32(manager, file, entry, LOAD_BLOCK_ELEMENTS);
    }

    /** As above with a chosen block size (tests use small blocks). */
    static NDArray readFloat32(NDManager manager, SafetensorsFile file, TensorEntry entry, long blockElements) {
        Shape shape = entry.shape();
        long count = entry.elementCount();
        if (count <= blockElements || shape.dimension() < 2) {
            return block(manager, file, entry, 0, count, shape);
        }
        long rowSize = count / shape.get(0);
        long rowsPerBlock = Math.max(1, blockElements / rowSize);
        NDList blocks = new NDList();
        try {
            for (long row = 0; row < shape.get(0); row += rowsPerBlock) {
                long rows = Math.min(rowsPerBlock, shape.get(0) - row);
                long[] dims = shape.getShape().clone();
                dims[0] = rows;
                blocks.add(block(manager, file, entry, row * rowSize, rows * rowSize, new Shape(dims)));
            }
            return NDArrays.concat(blocks, 0);
        } finally {
            blocks.close();
        }
    }

    private static NDArray block(NDManager manager, SafetensorsFile file, TensorEntry entry, long first, long count,
            Shape shape) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.nativeOrder());
        file.readAsFloat32(entry, first, (int) count, buffer.asFloatBuffer());
        refuseNonFinite(file, entry, first, buffer.asFloatBuffer());
        // DJL wraps a direct buffer without copying; a clone gives the tensor memory of its own, so the
        // Java buffer can be collected and direct-memory limits do not cap the model size.
        try (NDArray wrapped = manager.create(buffer, shape, DataType.FLOAT32)) {
            return wrapped.duplicate();
        } finally {
            // freed now: a collection may not come for the whole run (see DirectBuffers)
            DirectBuffers.free(buffer);
        }
    }

    /**
     * Refuses weights that are NaN or infinite (a model that would score NaN or train on garbage),
     * naming the file, the tensor and the first bad element.
     */
    private static void refuseNonFinite(SafetensorsFile file, TensorEntry entry, long first, java.nio.FloatBuffer values) {
        int n = values.remaining();
        int bad = 0;
        int firstBad = -1;
        for (int i = 0; i < n; i++) {
            float v = values.get(i);
            if (!Float.isFinite(v)) {
                if (firstBad < 0) {
                    firstBad = i;
                }
                bad++;
            }
        }
        if (firstBad >= 0) {
            float v = values.get(firstBad);
            throw new DpoException(file.path() + ": tensor " + entry.name() + " holds " + (Float.isNaN(v) ? "NaN" : v > 0
                    ? "+Infinity" : "-Infinity") + " at element " + (first + firstBad) + " (" + bad + " non-finite "
                    + "value(s) in this block); the weights are broken, so the model is refused");
        }
    }

    /** Saves with {@link SaveOptions#defaults()}. */
    public static void save(LlamaModel model, Path folder) {
        save(model, folder, SaveOptions.defaults());
    }

    /**
     * Saves a model folder atomically (written to a temporary sibling, then renamed into place; an
     * existing folder is replaced): weights as safetensors (sharded above
     * {@link SaveOptions#maxShardBytes()}), {@code config.json}, and the tokenizer files of the
     * tokenizer source folder.
     *
     * @throws DpoException when the folder cannot be written
     */
    public static void save(LlamaModel model, Path folder, SaveOptions options) {
        TensorDtype dtype = options.dtype().orElse(model.config().storageDtype());
        Path tokenizerSource = options.tokenizerSource().or(model::sourceDirectory).orElse(null);
        try {
            AtomicFiles.writeDirectory(folder, temporary -> {
                writeWeights(model, dtype, options.maxShardBytes(), temporary);
                writeConfig(model, dtype, temporary.resolve(CONFIG));
                if (tokenizerSource != null) {
                    copyTokenizerFiles(tokenizerSource, temporary);
                }
            });
        } catch (IOException e) {
            throw new DpoException(folder + ": cannot save the model: " + e.getMessage(), e);
        }
    }

    private static void writeWeights(LlamaModel model, TensorDtype dtype, long maxShardBytes, Path folder)
            throws IOException {
        List<List<TensorSource>> shards = new ArrayList<>();
        List<TensorSource> current = new ArrayList<>();
        long currentBytes = 0;
        long total = 0;
        for (Map.Entry<String, NDArray> p : model.parameters().entrySet()) {
            TensorSource source = new ParameterSource(p.getKey(), p.getValue(), dtype);
            if (!current.isEmpty() && currentBytes + source.byteCount() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(source);
            currentBytes += source.byteCount();
            total += source.byteCount();
        }
        shards.add(current);
        Map<String, String> metadata = Map.of("format", "pt");
        if (shards.size() == 1) {
            SafetensorsWriter.write(folder.resolve(WEIGHTS), shards.get(0), metadata);
            return;
        }
        Map<String, String> weightMap = new TreeMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafetensorsWriter.write(folder.resolve(name), shards.get(i), metadata);
            shards.get(i).forEach(t -> weightMap.put(t.name(), name));
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        Files.writeString(folder.resolve(INDEX), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(index) + "\n");
    }

    private static void writeConfig(LlamaModel model, TensorDtype dtype, Path file) throws IOException {
        ObjectNode json = model.sourceConfigJson().orElseGet(() -> model.config().toJson());
        json.put("torch_dtype", dtype.torchName());
        JsonNode newerName = json.get("dtype");
        if (newerName != null && newerName.isTextual()) {
            json.put("dtype", dtype.torchName());
        }
        Files.writeString(file, JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json) + "\n");
    }

    private static void copyTokenizerFiles(Path source, Path target) throws IOException {
        for (String name : TOKENIZER_FILES) {
            Path file = source.resolve(name);
            if (Files.isRegularFile(file)) {
                Files.copy(file, target.resolve(name));
            }
        }
    }

    /** A parameter read back in blocks of rows on a temporary manager, so the model's manager does not grow. */
    private record ParameterSource(String name, NDArray array, TensorDtype dtype) implements TensorSource {

        @Override
        public Shape shape() {
            return array.getShape();
        }

        @Override
        public float[] readRows(long firstRow, int rowCount) {
            try (NDManager temporary = array.getManager().newSubManager()) {
                NDArray rows = firstRow == 0 && rowCount == rows() ? array
                        : array.get(temporary, new NDIndex("{}:{}", firstRow, firstRow + rowCount));
                if (rows.getDataType() != DataType.FLOAT32) { // a frozen base held in FLOAT16
                    rows = rows.toType(DataType.FLOAT32, true);
                    rows.attach(temporary);
                }
                return rows.toFloatArray();
            }
        }
    }
}
