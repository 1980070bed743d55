package io.dpo4j.core.kernel;

import io.dpo4j.core.DpoException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The log-prob kernel implementations, by the id used in configuration files. */
public enum KernelType {

    /** {@link NaiveLogProbKernel}: full logits and autograd; the reference. */
    NAIVE("naive"),
    /** {@link ChunkedLogProbKernel}: response rows only, tiled logits, two-pass gradient; the default. */
    CHUNKED("chunked");

    private final String id;

    KernelType(String id) {
        this.id = id;
    }

    /** The lower-case id: {@code naive} or {@code chunked}. */
    public String id() {
        return id;
    }

    /** The implementation with its default settings. */
    public LogProbKernel create() {
        return this == NAIVE ? new NaiveLogProbKernel() : new ChunkedLogProbKernel();
    }

    /**
     * The implementation with a logits memory budget; the naive kernel has none and ignores it.
     *
     * @param budgetBytes see {@link ChunkedLogProbKernel#ChunkedLogProbKernel(long)}
     */
    public LogProbKernel create(long budgetBytes) {
        return this == NAIVE ? new NaiveLogProbKernel() : new ChunkedLogProbKernel(budgetBytes);
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
