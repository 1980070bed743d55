package io.dpo4j.api.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a Java number that is safe under autograd.
 *
 * <p>Why this exists: in DJL 0.36's PyTorch engine, {@code x.mul(2.0)} (likewise {@code div},
 * {@code pow}, {@code maximum}, {@code minimum} with a {@link Number}) wraps the number in a tensor
 * that <em>borrows</em> a Java direct buffer ({@code torch::from_blob}) and closes it as soon as the
 * operation returns. Autograd keeps that tensor to compute the backward pass; once the garbage
 * collector frees the buffer, the backward reads whatever memory is there — zeros, infinities — and
 * the gradient is silently wrong (rarely in a quiet test, every time under memory pressure).
 *
 * <p>The methods here wrap the number in a tensor whose memory libtorch owns, attached to the
 * operand's manager, so it lives at least as long as the graph that uses it. Use them in every
 * differentiable path; {@code LayeringTest} forbids the unsafe overloads in this project's code.
 */
public final class Scalars {

    private Scalars() {
    }

    /** A 0-d tensor of {@code like}'s dtype holding {@code value}, owned by libtorch, on {@code like}'s manager. */
    public static NDArray constant(NDArray like, double value) {
        // zeros() allocates memory libtorch owns; the in-place add runs at once and keeps nothing borrowed.
        // (create(value).toType(sameType, true) would alias the borrowed buffer: no copy for the same dtype.)
        return like.getManager().zeros(new Shape(), like.getDataType()).addi(value);
    }

    /** {@code x · c}. */
    public static NDArray mul(NDArray x, double c) {
        return x.mul(constant(x, c));
    }

    /** {@code x / c}. */
    public static NDArray div(NDArray x, double c) {
        return x.div(constant(x, c));
    }

    /** {@code x^c}. */
    public static NDArray pow(NDArray x, double c) {
        return x.pow(constant(x, c));
    }

    /** {@code max(x, c)} element-wise. */
    public static NDArray maximum(NDArray x, double c) {
        return x.maximum(constant(x, c));
    }

    /** {@code min(x, c)} element-wise. */
    public static NDArray minimum(NDArray x, double c) {
        return x.minimum(constant(x, c));
    }
}
