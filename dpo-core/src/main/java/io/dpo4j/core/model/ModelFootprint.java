package io.dpo4j.core.model;

import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.InputFiles;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The memory a model's weights need, computed from its configuration alone (no tensor is created),
 * and the check that it fits the memory the machine has available — so that a {@code config.json}
 * with {@code num_hidden_layers: 10000000} is refused in milliseconds, naming the file and the
 * numbers, instead of exhausting memory. This is an estimate of the float32 parameter bytes only
 * (activations, gradients and optimizer state come on top; a fuller memory plan can build on {@link
 * #parameterCount}).
 */
public final class ModelFootprint {

    /**
     * Overrides the available memory in bytes (tests, or a machine whose limit the JVM cannot see);
     * {@code 0} turns the check off.
     */
    public static final String AVAILABLE_PROPERTY = "dpo4j.availableMemoryBytes";

    private ModelFootprint() {
    }

    /**
     * The number of parameters (the tied embedding counted once), in exact long arithmetic.
     *
     * @throws ArithmeticException when it does not fit a long
     */
    public static long parameterCount(LlamaConfig c) {
        long d = c.hiddenSize();
        long q = Math.multiplyExact((long) c.numHeads(), c.headDim());
        long kv = Math.multiplyExact((long) c.numKeyValueHeads(), c.headDim());
        long ff = c.intermediateSize();
        long perLayer = Math.multiplyExact(2L, d); // two norms
        perLayer = Math.addExact(perLayer, Math.multiplyExact(q, d) + (c.qkvBias() ? q : 0));
        perLayer = Math.addExact(perLayer, Math.multiplyExact(Math.multiplyExact(2L, kv), d) + (c.qkvBias() ? 2 * kv : 0));
        perLayer = Math.addExact(perLayer, Math.multiplyExact(d, q) + (c.outputBias() ? d : 0));
        perLayer = Math.addExact(perLayer, Math.multiplyExact(Math.multiplyExact(3L, ff), d)
                + (c.mlpBias() ? 2 * ff + d : 0));
        long embedding = Math.multiplyExact((long) c.vocabSize(), d);
        long total = Math.multiplyExact(perLayer, (long) c.numLayers());
        total = Math.addExact(total, embedding);
        total = Math.addExact(total, d);
        if (!c.tieWordEmbeddings()) {
            total = Math.addExact(total, embedding);
        }
        return total;
    }

    /**
     * Refuses a configuration whose float32 weights cannot fit the available memory (or whose size
     * does not even fit a number).
     *
     * @param source the file, for the message
     */
    public static void check(LlamaConfig config, Path source) {
        long parameters;
        long bytes;
        try {
            parameters = parameterCount(config);
            bytes = Math.multiplyExact(parameters, 4L);
        } catch (ArithmeticException e) {
            throw new DpoException(source + ": the model's size overflows (" + shape(config) + "); is this file right?");
        }
        OptionalLong available = availableBytes();
        if (available.isPresent() && bytes > available.getAsLong()) {
            throw new DpoException(String.format(Locale.ROOT, "%s: the model has %,d parameters (%s), %s as float32 "
                    + "weights, more than the %s of memory available; is this file right? (nothing was allocated)",
                    source, parameters, shape(config), InputFiles.human(bytes), InputFiles.human(available.getAsLong())));
        }
    }

    private static String shape(LlamaConfig c) {
        return "num_hidden_layers " + c.numLayers() + ", hidden_size " + c.hiddenSize() + ", intermediate_size "
                + c.intermediateSize() + ", vocab_size " + c.vocabSize() + ", num_attention_heads " + c.numHeads()
                + ", head_dim " + c.headDim();
    }

    /**
     * The memory this process could still get: the smallest of the system's available memory ({@code
     * MemAvailable}), the cgroup's limit less its use, and {@value #AVAILABLE_PROPERTY} when set; empty
     * when none is known or the property is 0.
     */
    public static OptionalLong availableBytes() {
        String override = System.getProperty(AVAILABLE_PROPERTY, "").strip();
        if (!override.isEmpty()) {
            try {
                long v = Long.parseLong(override);
                return v <= 0 ? OptionalLong.empty() : OptionalLong.of(v);
            } catch (NumberFormatException e) {
                throw new DpoException("-D" + AVAILABLE_PROPERTY + "=" + override + ": expected a number of bytes");
            }
        }
        long best = Long.MAX_VALUE;
        OptionalLong meminfo = memAvailable();
        if (meminfo.isPresent()) {
            best = meminfo.getAsLong();
        } else if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            best = os.getFreeMemorySize();
        }
        OptionalLong cgroup = cgroupRemaining();
        if (cgroup.isPresent()) {
            best = Math.min(best, cgroup.getAsLong());
        }
        return best == Long.MAX_VALUE || best <= 0 ? OptionalLong.empty() : OptionalLong.of(best);
    }

    private static OptionalLong memAvailable() {
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemAvailable:")) {
                String[] parts = line.substring("MemAvailable:".length()).trim().split("\\s+");
                try {
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    private static OptionalLong cgroupRemaining() {
        List<String> max = lines(Path.of("/sys/fs/cgroup/memory.max"));
        List<String> current = lines(Path.of("/sys/fs/cgroup/memory.current"));
        if (max.isEmpty() || current.isEmpty() || max.get(0).strip().equals("max")) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(max.get(0).strip()) - Long.parseLong(current.get(0).strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
