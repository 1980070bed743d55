package io.dpo4j.bench.scenario;

import ai.djl.ndarray.NDManager;
import io.dpo4j.bench.lab.CellRunner;
import io.dpo4j.core.registry.ObjectiveRegistry;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;

/**
 * What every scenario runs with: the objectives (built-in and plugins, by id), the output folder,
 * the seeds, the profile's size, a log for progress, the root NDManager, the executor training runs
 * are submitted to (its size is how many run at once), and what scenarios share within one suite
 * (the labs of each seed, and through them every training run).
 *
 * @param registry every usable objective
 * @param output the report folder (scenarios may write work files under {@code output/work})
 * @param full true for the full profile, false for the quick one
 * @param seeds the seeds every cell runs with
 * @param log progress and messages (standard error)
 * @param manager the root NDManager; scenarios open sub-managers
 * @param executor runs this process's own jobs (opening labs, best-of-N sampling); with local cells,
 *     also the cells, one at a time
 * @param parallel how many cells run at once
 * @param sweepSeeds on how many of the seeds (the first ones) every variant of a sweep runs; the
 *     chosen variant then runs on the others too (0: all seeds)
 * @param cells where training runs execute (this process, or worker processes)
 * @param shared what scenarios share in one suite, by key
 */
public record BenchContext(ObjectiveRegistry registry, Path output, boolean full, List<Long> seeds, PrintWriter log,
        NDManager manager, ExecutorService executor, int parallel, int sweepSeeds, CellRunner cells,
        ConcurrentMap<String, Object> shared) {

    /** A context with a fresh shared map. */
    public BenchContext(ObjectiveRegistry registry, Path output, boolean full, List<Long> seeds, PrintWriter log,
            NDManager manager, ExecutorService executor, int parallel, int sweepSeeds, CellRunner cells) {
        this(registry, output, full, seeds, log, manager, executor, parallel, sweepSeeds, cells,
                new ConcurrentHashMap<>());
    }

    /** Waits for a future, rethrowing what it failed with unwrapped. */
    public static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) {
                throw u;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
