package io.dpo4j.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * One training forward pass through a {@link LlamaModel}'s trunk (see
 * {@link LlamaModel#trainingPass}): {@link #hidden()} goes to the loss; after the loss's gradient has
 * been back-propagated into it, {@link #backward()} finishes the trunk's backward.
 *
 * <p><b>Activation checkpointing</b> (when enabled): the forward runs each decoder layer with autograd
 * off, keeping only the layer's input (a {@code B×T×d} array); the final norm is recorded from a leaf
 * copy of the last layer's output. {@link #backward()} then walks the layers from the last: recompute the
 * layer from its kept input (a fresh leaf) with autograd on, back-propagate the gradient that reached its
 * output, read the gradient of its input, free the layer's graph. Gradients are the un-checkpointed ones;
 * memory holds the weights, one {@code B×T×d} array per layer and one layer's graph at a time. Any
 * dropout is reseeded per layer so the recomputation draws the same masks.
 *
 * <p>Without checkpointing, the forward is recorded whole and {@link #backward()} does nothing.
 */
public final class TrunkPass {

    private final LlamaModel model;
    private final boolean checkpoint;
    private final long dropoutSeed;
    private final NDManager step;
    private final NDArray[] cosSin;
    private final NDArray maskBias;
    /** The recorded embedding output (its graph reaches the embedding weight when that trains). */
    private final NDArray embedded;
    /** Checkpointed: the detached input of each layer. */
    private final NDArray[] inputs;
    /** Checkpointed: the leaf the final norm was recorded from. */
    private final NDArray top;
    private final NDArray hidden;
    private boolean done;

    TrunkPass(LlamaModel model, NDArray inputIds, NDArray maskBias, NDArray positionIds, boolean checkpoint,
            long dropoutSeed) {
        this.model = model;
        this.checkpoint = checkpoint;
        this.dropoutSeed = dropoutSeed;
        this.step = inputIds.getManager();
        this.cosSin = model.cosSin(positionIds);
        this.maskBias = model.layerBias(maskBias);
        this.embedded = model.embed(inputIds);
        int layers = model.config().numLayers();
        if (!checkpoint) {
            this.inputs = null;
            NDArray x = embedded;
            for (int layer = 0; layer < layers; layer++) {
                x = scopedLayer(x, layer, layer > 0);
            }
            this.top = null;
            this.hidden = model.finalNorm(x);
            return;
        }
        this.inputs = new NDArray[layers];
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        NDArray x;
        try {
            // A copy made with autograd off has no history (DJL's stopGradient detaches in place).
            x = embedded.duplicate();
            for (int layer = 0; layer < layers; layer++) {
                inputs[layer] = x;
                x = scopedLayer(x, layer, false);
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        x.setRequiresGradient(true);
        this.top = x;
        this.hidden = model.finalNorm(x);
    }

    /** One layer on a scope of its own (closing {@code x} with it when {@code release}); the output on the step. */
    private NDArray scopedLayer(NDArray x, int layer, boolean release) {
        try (NDManager scope = step.newSubManager()) {
            NDArray input = x;
            if (release) {
                x.attach(scope);
            } else {
                // A view on the scope: results join their first operand's manager, so the layer's
                // intermediates must start from an array of the scope, or they would stay on the step.
                input = x.get(scope, new NDIndex(":"));
            }
            reseed(layer);
            NDArray y = model.layer(input, layer, cosSin, maskBias, null, true);
            y.attach(step);
            return y;
        }
    }

    private void reseed(int layer) {
        if (model.randomInTraining()) {
            Engine.getInstance().setRandomSeed((int) (dropoutSeed * 1_000_003L + layer));
        }
    }

    /** The final-normed hidden states {@code B×T×d}, recorded for autograd, on the inputs' manager. */
    public NDArray hidden() {
        return hidden;
    }

    /** True when the layers are recomputed in {@link #backward()}. */
    public boolean checkpointed() {
        return checkpoint;
    }

    /**
     * Finishes the trunk's backward after the loss's gradient has reached {@link #hidden()} (a no-op
     * without checkpointing). Call at most once, inside the collector that recorded the forward.
     *
     * @throws IllegalStateException when called twice
     */
    public void backward() {
        if (done) {
            throw new IllegalStateException("the trunk's backward has already run");
        }
        done = true;
        if (!checkpoint) {
            return;
        }
        NDArray gradient = top.getGradient();
        gradient.attach(step);
        for (int layer = inputs.length - 1; layer >= 0; layer--) {
            try (NDManager scope = step.newSubManager()) {
                NDArray x = inputs[layer]; // made with autograd off: a leaf without history
                x.attach(scope);
                x.setRequiresGradient(true);
                reseed(layer);
                NDArray y = model.layer(x, layer, cosSin, maskBias, null, true);
                JniUtils.backward((PtNDArray) y, (PtNDArray) gradient, false, false);
                NDArray next = x.getGradient();
                next.attach(step);
                gradient.close();
                inputs[layer] = null;
                gradient = next;
            }
        }
        // (DJL's requiresGrad answers false for a non-leaf: ask the embedding weight, a leaf.)
        if (JniUtils.requiresGrad((PtNDArray) model.parameter("model.embed_tokens.weight"))) {
            JniUtils.backward((PtNDArray) embedded, (PtNDArray) gradient, false, false);
        }
        gradient.close();
    }
}
