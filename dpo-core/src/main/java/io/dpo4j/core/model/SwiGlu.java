package io.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The gated MLP's product {@code silu(gate) · up}, in two ways with the same value.
 *
 * <p>{@link #plain} is the textbook {@code gate · σ(gate) · up}; recorded for autograd it keeps five
 * intermediate-sized arrays per layer until backward (gate, σ(gate), silu, up and the product the down
 * projection reads). {@link #recorded} keeps three, the memory of a fused SwiGLU (Liger-Kernel's keeps
 * gate and up and recomputes; this keeps the two factors of the backward instead): it computes the value
 * and both partial derivatives with autograd off,
 * <pre>
 *   p = silu(g)·u,   A = ∂p/∂g = u·σ(g)·(1 + g·(1 − σ(g))),   S = ∂p/∂u = silu(g),
 * </pre>
 * and records {@code (g − [g])·A + p + (u − [u])·S}, where {@code [·]} is a view of the same array taken
 * with autograd off (no history, no copy). Each difference is exactly zero, so the value is {@code p} bit
 * for bit (for finite A and S), while autograd sees two products whose other factor ({@code A},
 * {@code S}) is a constant: the gradient is {@code dp·A} for the gate and
 * {@code dp·S} for up, which is the exact derivative (equal to the plain path's to rounding; tested in
 * {@code SwiGluTest}). PyTorch saves only the constant factor of such a product.
 */
final class SwiGlu {

    private SwiGlu() {
    }

    /** {@code gate · σ(gate) · up}, every intermediate recorded (the reference path; no-grad passes). */
    static NDArray plain(NDArray gate, NDArray up) {
        return gate.mul(Activation.sigmoid(gate)).mul(up);
    }

    /**
     * The same value with only the two derivative factors kept for backward; falls back to {@link #plain}
     * when autograd is off.
     */
    static NDArray recorded(NDArray gate, NDArray up) {
        if (!JniUtils.isGradMode()) {
            return plain(gate, up);
        }
        NDArray value;
        NDArray dGate;
        NDArray dUp;
        NDArray gateConstant;
        NDArray upConstant;
        JniUtils.setGradMode(false);
        try {
            NDArray sigmoid = Activation.sigmoid(gate);
            dUp = gate.mul(sigmoid); // silu(g)
            value = dUp.mul(up);
            // u·σ·(1 + g − silu) = u·σ·(1 + g·(1 − σ)), in place on one buffer
            dGate = gate.sub(dUp).muli(sigmoid).addi(sigmoid).muli(up);
            sigmoid.close();
            // views made with autograd off: the same values, without history (no copy)
            gateConstant = gate.reshape(gate.getShape());
            upConstant = up.reshape(up.getShape());
        } finally {
            JniUtils.setGradMode(true);
        }
        // (g − [g])·A + p + (u − [u])·S: each difference is exactly zero and carries the identity gradient.
        // In place on the first difference (autograd allows it: a product's backward here needs only its
        // constant factor, and adding a constant needs nothing), so one array is made for each term.
        NDArray product = gate.sub(gateConstant).muli(dGate).addi(value);
        value.close();
        NDArray upTerm = up.sub(upConstant).muli(dUp);
        product.addi(upTerm);
        upTerm.close();
        return product;
    }
}
