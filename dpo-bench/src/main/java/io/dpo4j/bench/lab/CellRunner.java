package io.dpo4j.bench.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Where the benchmark's training runs (cells) execute. DJL allows one gradient collector per
 * process, so two runs cannot train side by side in one JVM: {@link #local} runs them one at a time
 * in this process, {@link WorkerPool} in worker processes, one run per worker at a time. Every run is
 * single-threaded in libtorch and seeded only by its spec and seed, so both give the same results.
 */
public interface CellRunner extends AutoCloseable {

    /** Runs {@code spec} on {@code lab}'s seed. */
    CompletableFuture<Run> run(LanguageLab lab, RunSpec spec);

    /** Prepares a seed's lab ahead of its runs (a worker warms up π_ref); by default nothing. */
    default void prepare(LanguageLab.Settings settings, long seed) {
    }

    /** Waits for everything {@link #prepare} started. */
    default void awaitPrepared() {
    }

    /** CPU seconds spent outside this process (the workers'; 0 for local cells). */
    default double externalCpuSeconds() {
        return 0;
    }

    @Override
    default void close() {
    }

    /** Runs cells on {@code executor} (which must run one task at a time) in this process. */
    static CellRunner local(ExecutorService executor) {
        return (lab, spec) -> CompletableFuture.supplyAsync(() -> {
            try {
                return lab.train(spec);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, executor);
    }
}
