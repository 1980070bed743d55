package io.dpo4j.bench.jmh;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Benchmark shapes: {@code rows × length} response tokens (every position is a response token, so
 * the naive and chunked kernels do the same useful work), hidden size d and vocabulary V of a real
 * model's lm_head.
 */
public enum KernelShape {

    /** A quick shape: 512 tokens, d = 256, V = 8192 (about 2 GFLOP per GEMM). */
    SMALL("small", 4, 128, 256, 8192),
    /**
     * SmolLM2-135M's lm_head: 4096 tokens, d = 576, V = 49152 (about 232 GFLOP per GEMM), as 16 rows of
     * 256 tokens (8 pairs with 256-token responses), so that a pair's logits (100 MB) fit the single-pass
     * kernel's default chunk.
     */
    SMOLLM2_135M("smollm2-135m", 16, 256, 576, 49152),
    /** Qwen2.5-0.5B's lm_head: 2048 tokens, d = 896, V = 151936 (about 558 GFLOP per GEMM). */
    QWEN25_05B("qwen2.5-0.5b", 2, 1024, 896, 151936);

    private final String id;
    private final int rows;
    private final int length;
    private final int hidden;
    private final int vocabulary;

    KernelShape(String id, int rows, int length, int hidden, int vocabulary) {
        this.id = id;
        this.rows = rows;
        this.length = length;
        this.hidden = hidden;
        this.vocabulary = vocabulary;
    }

    public String id() {
        return id;
    }

    public int rows() {
        return rows;
    }

    public int length() {
        return length;
    }

    public int hidden() {
        return hidden;
    }

    public int vocabulary() {
        return vocabulary;
    }

    /** Response tokens N = rows × length. */
    public int tokens() {
        return rows * length;
    }

    /** FLOP of one lm_head-sized GEMM: 2·N·d·V. */
    public double gemmFlop() {
        return 2.0 * tokens() * hidden * vocabulary;
    }

    /** A short description, as in the report. */
    public String describe() {
        return String.format(Locale.ROOT, "%s (N=%d, d=%d, V=%d)", id, tokens(), hidden, vocabulary);
    }

    public static KernelShape fromId(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown shape '" + id + "'; known: "
                        + Arrays.stream(values()).map(KernelShape::id).collect(Collectors.joining(", "))));
    }
}
