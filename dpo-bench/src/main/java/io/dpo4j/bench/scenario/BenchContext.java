package io.dpo4j.bench.scenario;

import ai.djl.ndarray.NDManager;
import io.dpo4j.core.registry.ObjectiveRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * What every scenario runs with: the objectives (built-in and plugins, by id), the output folder,
 * the seeds, the profile's size, a log for progress, and the root NDManager.
 *
 * @param registry every usable objective
 * @param output the report folder (scenarios may write work files under {@code output/work})
 * @param full true for the full profile, false for the quick one
 * @param seeds the seeds every cell runs with
 * @param log progress and messages (standard error)
 * @param manager the root NDManager; scenarios open sub-managers
 */
public record BenchContext(ObjectiveRegistry registry, Path output, boolean full, List<Long> seeds, PrintWriter log,
        NDManager manager) {
}
