package io.dpo4j.core.model;

import io.dpo4j.core.model.safetensors.TensorDtype;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How {@link HuggingFaceCheckpoint#save} writes a model.
 *
 * @param dtype the storage type, or empty for the model's own ({@link LlamaConfig#storageDtype()})
 * @param maxShardBytes above this many bytes of tensors, weights are split into
 *     {@code model-0000i-of-0000n.safetensors} files with a {@code model.safetensors.index.json}
 * @param tokenizerSource the folder whose tokenizer files are copied, or empty for the folder the
 *     model was loaded from (if any)
 */
public record SaveOptions(Optional<TensorDtype> dtype, long maxShardBytes, Optional<Path> tokenizerSource) {

    /** Hugging Face's default shard size, 5 GB. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    /** Checks the shard size. */
    public SaveOptions {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
    }

    /** The model's own dtype, 5 GB shards, tokenizer files from the folder the model came from. */
    public static SaveOptions defaults() {
        return new SaveOptions(Optional.empty(), DEFAULT_MAX_SHARD_BYTES, Optional.empty());
    }

    /** These options with another storage type. */
    public SaveOptions withDtype(TensorDtype value) {
        return new SaveOptions(Optional.of(value), maxShardBytes, tokenizerSource);
    }

    /** These options with another shard size. */
    public SaveOptions withMaxShardBytes(long value) {
        return new SaveOptions(dtype, value, tokenizerSource);
    }

    /** These options copying tokenizer files from {@code folder}. */
    public SaveOptions withTokenizerSource(Path folder) {
        return new SaveOptions(dtype, maxShardBytes, Optional.of(folder));
    }
}
