package io.dpo4j.core.kernel;

import io.dpo4j.core.DpoException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The log-prob kernel implementations, by the id used in configuration files. */
public enum KernelType {

    /** {@link NaiveLogProbKernel}: full logits and autograd; the reference. */
    NAIVE("naive"),
    /** {@link ChunkedLogProbKernel}: response rows only, tiled logits, two-pass gradient (four lm_head GEMMs). */
    CHUNKED("chunked"),
    /**
     * {@link SinglePassLogProbKernel}: the chunked kernel, plus a single pass (three lm_head GEMMs) for
     * objectives whose gradient is row-local; the default.
     */
    SINGLE_PASS("single_pass");

    private final String id;

    KernelType(String id) {
        this.id = id;
    }

    /** The lower-case id: {@code naive}, {@code chunked} or {@code single_pass}. */
    public String id() {
        return id;
    }

    /** The implementation with its default settings. */
    public LogProbKernel create() {
        return switch (this) {
            case NAIVE -> new NaiveLogProbKernel();
            case CHUNKED -> new ChunkedLogProbKernel();
            case SINGLE_PASS -> new SinglePassLogProbKernel();
        };
    }

    /**
     * The implementation with a logits memory budget; the naive kernel has none and ignores it. The
     * single-pass kernel takes it as its tile budget and keeps its default chunk size
     * ({@link SinglePassLogProbKernel#DEFAULT_CHUNK_BYTES}) unless the budget is larger.
     *
     * @param budgetBytes see {@link ChunkedLogProbKernel#ChunkedLogProbKernel(long)}
     */
    public LogProbKernel create(long budgetBytes) {
        return switch (this) {
            case NAIVE -> new NaiveLogProbKernel();
            case CHUNKED -> new ChunkedLogProbKernel(budgetBytes);
            case SINGLE_PASS -> new SinglePassLogProbKernel(Math.min(budgetBytes, ChunkedLogProbKernel.DEFAULT_BUDGET_BYTES),
                    Math.max(budgetBytes, SinglePassLogProbKernel.DEFAULT_CHUNK_BYTES));
        };
    }

    /**
     * Looks an implementation up by id (case-insensitive).
     *
     * @throws DpoException naming the known ids when there is none by that id
     */
    public static KernelType fromId(String id) {
        String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(k -> k.id.equals(wanted)).findFirst()
                .orElseThrow(() -> new DpoException("unknown log-prob kernel '" + id + "'; known kernels: "
                        + Arrays.stream(values()).map(KernelType::id).collect(Collectors.joining(", "))));
    }
}
