package io.dpo4j.spark;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.dpo4j.core.lora.PeftAdapterFiles;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models of one executor JVM: each (model folder, adapter) is loaded once, lazily, by the first
 * task that needs it, and then shared read-only by every task of that JVM (no-grad forward passes only)
 * until the JVM exits. The folder must be one every executor sees (shared storage).
 */
final class ExecutorModels {

    private static final Map<String, LlamaModel> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {
    }

    /** The model of a folder (with a PEFT adapter attached when {@code adapter} is not null). */
    static LlamaModel get(String folder, String adapter) {
        return MODELS.computeIfAbsent(folder + "\u0000" + (adapter == null ? "" : adapter), k -> {
            offline();
            LOADS.incrementAndGet();
            NDManager manager = NDManager.newBaseManager();
            LlamaModel model = HuggingFaceCheckpoint.load(Path.of(folder), manager);
            if (adapter != null) {
                model.attachAdapter(PeftAdapterFiles.load(Path.of(adapter), model));
            }
            model.setTrainable(false);
            return model;
        });
    }

    /** One libtorch thread for the calling task thread (its intra-op setting is per thread under OpenMP). */
    static void oneThreadPerTask() {
        offline();
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(1);
    }

    /** Nothing is downloaded at run time, on an executor either (set before DJL's engine starts). */
    private static void offline() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
    }

    /** How many models this JVM has loaded (tests: once per model, however many tasks ran). */
    static int loads() {
        return LOADS.get();
    }
}
