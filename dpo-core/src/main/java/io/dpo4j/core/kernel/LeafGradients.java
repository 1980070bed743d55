package io.dpo4j.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Optional;

/**
 * The live gradient buffer of a leaf (a parameter), when it already exists. DJL's
 * {@link NDArray#getGradient()} cannot say: it returns fresh zeros when there is no buffer yet, and
 * writing into those would be lost. PyTorch's JNI returns null instead, so this is engine-specific;
 * on another engine the answer is always empty and callers take the autograd path.
 */
final class LeafGradients {

    private LeafGradients() {
    }

    /** The buffer that autograd accumulates {@code array}'s gradient into, with its handle in {@code work}. */
    static Optional<NDArray> existing(NDArray array, NDManager work) {
        if (!(array instanceof PtNDArray pt) || !array.hasGradient()) {
            return Optional.empty();
        }
        PtNDArray gradient = JniUtils.getGradient(pt);
        if (gradient == null) {
            return Optional.empty();
        }
        gradient.attach(work);
        return Optional.of(gradient);
    }
}
