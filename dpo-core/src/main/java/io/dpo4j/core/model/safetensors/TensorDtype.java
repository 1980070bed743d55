package io.dpo4j.core.model.safetensors;

import java.util.Locale;
import java.util.Optional;

/**
 * The floating-point storage types this project reads and writes in safetensors files, by their
 * safetensors names. Every type is computed in float32: bfloat16 and float16 are widened and narrowed
 * in Java (creating a BFLOAT16 NDArray aborts the JVM with DJL 0.36 on CPU).
 */
public enum TensorDtype {
    /** IEEE float32, 4 bytes. */
    F32(4),
    /** bfloat16 (the upper 16 bits of a float32), 2 bytes. */
    BF16(2),
    /** IEEE float16 (half precision), 2 bytes. */
    F16(2);

    private final int bytes;

    TensorDtype(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The type of a safetensors {@code dtype} name (case-sensitive, as the format writes it). */
    public static Optional<TensorDtype> fromSafetensorsName(String name) {
        for (TensorDtype d : values()) {
            if (d.name().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * The type of a Hugging Face {@code torch_dtype} value ({@code float32}, {@code bfloat16},
     * {@code float16}, also {@code float}, {@code half}, {@code bf16}, {@code fp16}, {@code fp32}).
     */
    public static Optional<TensorDtype> fromTorchName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return switch (name.toLowerCase(Locale.ROOT).replace("torch.", "")) {
            case "float32", "float", "fp32", "f32" -> Optional.of(F32);
            case "bfloat16", "bf16" -> Optional.of(BF16);
            case "float16", "half", "fp16", "f16" -> Optional.of(F16);
            default -> Optional.empty();
        };
    }

    /** The Hugging Face {@code torch_dtype} name of this type. */
    public String torchName() {
        return switch (this) {
            case F32 -> "float32";
            case BF16 -> "bfloat16";
            case F16 -> "float16";
        };
    }
}
