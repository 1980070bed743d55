package io.dpo4j.train;

import ai.djl.engine.Engine;
import io.dpo4j.core.DpoException;
import java.util.Locale;

/**
 * Where a run's model, optimizer state, kernel scratch and every step's arrays live: {@code cpu},
 * {@code gpu} (the first CUDA device) or {@code gpu:N}. Chosen once per run; a GPU on a libtorch
 * without CUDA fails at once, before any model is loaded.
 *
 * @param gpu true for a CUDA device
 * @param index the CUDA device number (0 for the CPU)
 */
public record Device(boolean gpu, int index) {

    public Device {
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
        if (!gpu && index != 0) {
            throw new IllegalArgumentException("the cpu device has no index");
        }
    }

    /** The CPU (the default). */
    public static Device cpu() {
        return new Device(false, 0);
    }

    /** CUDA device {@code index}. */
    public static Device gpu(int index) {
        return new Device(true, index);
    }

    /**
     * Parses {@code cpu}, {@code gpu} or {@code gpu:N}.
     *
     * @throws DpoException naming the value and the accepted forms
     */
    public static Device parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("cpu")) {
            return cpu();
        }
        if (t.equals("gpu") || t.equals("cuda")) {
            return gpu(0);
        }
        if (t.startsWith("gpu:") || t.startsWith("cuda:")) {
            try {
                int n = Integer.parseInt(t.substring(t.indexOf(':') + 1));
                if (n >= 0) {
                    return gpu(n);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new DpoException("unknown device '" + text + "'; use cpu, gpu or gpu:N (N = 0, 1, …)");
    }

    /**
     * Checks that this device exists with the loaded libtorch.
     *
     * @throws DpoException with the number of CUDA devices libtorch sees and what to do
     */
    public Device requireAvailable() {
        if (gpu) {
            int count = Engine.getInstance().getGpuCount();
            if (index >= count) {
                throw new DpoException("device " + this + ": the loaded libtorch sees " + count + " CUDA device"
                        + (count == 1 ? "" : "s") + (count == 0 ? " (it is the CPU build, pytorch-native-cpu)" : "")
                        + "; use device cpu, or run with a CUDA libtorch (docs/training.md, \"Devices\"; untested)");
            }
        }
        return this;
    }

    /** The DJL device. */
    public ai.djl.Device toDjl() {
        return gpu ? ai.djl.Device.gpu(index) : ai.djl.Device.cpu();
    }

    /** {@code cpu} or {@code gpu:N}. */
    @Override
    public String toString() {
        return gpu ? "gpu:" + index : "cpu";
    }
}
