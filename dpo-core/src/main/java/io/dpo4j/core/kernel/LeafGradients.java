package io.dpo4j.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.math.Scalars;
import java.util.Optional;

/**
 * The live gradient buffer of a leaf (a parameter such as the lm_head weight), so that a kernel can
 * add its share straight into it, which is what autograd does for a leaf, without materialising the
 * share as a separate V×d array first. DJL's {@link NDArray#getGradient()} cannot be used for this:
 * it returns fresh zeros when there is no buffer yet, and writes into those would be lost. PyTorch's
 * JNI returns null instead, so this is engine-specific; on another engine the answer is empty and
 * callers take the autograd path.
 */
final class LeafGradients {

    private LeafGradients() {
    }

    /**
     * {@code leaf}'s gradient buffer, creating it (as zeros) when autograd has not yet: a backward of
     * {@code 0 · leaf[0]} on the open collector makes autograd allocate exactly that buffer and
     * nothing else. The returned handle is attached to {@code work}.
     */
    static Optional<NDArray> of(NDArray leaf, GradientCollector collector, NDManager work) {
        if (!(leaf instanceof PtNDArray pt) || !leaf.hasGradient()) {
            return Optional.empty();
        }
        PtNDArray gradient = JniUtils.getGradient(pt);
        if (gradient == null) {
            NDArray flat = leaf.reshape(-1);
            flat.attach(work);
            collector.backward(Scalars.mul(flat.get(new NDIndex("0")), 0.0));
            gradient = JniUtils.getGradient(pt);
            if (gradient == null) {
                return Optional.empty();
            }
        }
        gradient.attach(work);
        return Optional.of(gradient);
    }
}
