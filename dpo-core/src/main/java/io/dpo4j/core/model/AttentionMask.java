package io.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dpo4j.api.math.Scalars;

/**
 * Which keys each query of a batch may read, in one of two compact forms, turned into the additive
 * {@code B×1×T×T} bias the attention adds to its scores (0 where allowed, a large finite negative
 * elsewhere).
 *
 * <ul>
 *   <li>{@link #padding(NDArray)}: right-padded rows, causal, padded keys masked (the model's default);
 *   <li>{@link #segments(NDArray, NDArray)}: rows holding several <em>segments</em> (packed
 *       sequences) whose tokens carry a <em>branch</em>: query {@code i} reads key {@code j} when
 *       {@code j ≤ i}, both are in the same segment, and key {@code j} is in branch 0 (the segment's
 *       shared prompt) or in the query's own branch. One response per segment in branch 1 is a
 *       block-diagonal causal mask (padding-free packing); a prompt with two responses in branches 1
 *       and 2 is prompt sharing (each response sees the prompt, not the other response). Padding is
 *       its own segment (−1) and reads only padding, so no row is fully masked.
 * </ul>
 */
public final class AttentionMask {

    /** Added to attention scores that must be ignored: exp(-1e30 - max) is 0, and rows stay finite. */
    static final float MASKED = -1e30f;

    private final NDArray padding;
    private final NDArray segments;
    private final NDArray branches;

    private AttentionMask(NDArray padding, NDArray segments, NDArray branches) {
        this.padding = padding;
        this.segments = segments;
        this.branches = branches;
    }

    /** Right-padded rows: {@code mask} is {@code B×T}, 1 for real tokens and 0 for padding; causal. */
    public static AttentionMask padding(NDArray mask) {
        if (mask.getShape().dimension() != 2) {
            throw new IllegalArgumentException("the padding mask must be B×T, got " + mask.getShape());
        }
        return new AttentionMask(mask, null, null);
    }

    /**
     * Segmented rows: {@code segmentIds} and {@code branchIds} are {@code B×T} integers (segment −1 is
     * padding; branch 0 is the segment's shared part, seen by every branch of it).
     */
    public static AttentionMask segments(NDArray segmentIds, NDArray branchIds) {
        if (segmentIds.getShape().dimension() != 2 || !segmentIds.getShape().equals(branchIds.getShape())) {
            throw new IllegalArgumentException("segment and branch ids must both be B×T, got " + segmentIds.getShape()
                    + " and " + branchIds.getShape());
        }
        return new AttentionMask(null, segmentIds, branchIds);
    }

    /** The shape the mask covers, {@code B×T}. */
    public Shape shape() {
        return padding != null ? padding.getShape() : segments.getShape();
    }

    /** True for the padded (default) form. */
    public boolean isPadding() {
        return padding != null;
    }

    /** The padding mask {@code B×(past+T)} of the padded form (null for segments). */
    NDArray paddingMask() {
        return padding;
    }

    /** The additive bias {@code B×1×T×T}, on the mask's manager. */
    NDArray bias() {
        if (padding != null) {
            return LlamaModel.attentionBias(padding);
        }
        NDManager m = segments.getManager();
        long batch = segments.getShape().get(0);
        long tokens = segments.getShape().get(1);
        NDArray seg = segments.toType(DataType.INT64, false);
        NDArray br = branches.toType(DataType.INT64, false);
        NDArray sameSegment = seg.expandDims(2).eq(seg.expandDims(1));                        // B×T(query)×T(key)
        NDArray keyShared = br.eq(0).expandDims(1);                                           // B×1×T
        NDArray sameBranch = br.expandDims(2).eq(br.expandDims(1));
        boolean[] lower = new boolean[(int) (tokens * tokens)];
        for (int i = 0; i < tokens; i++) {
            for (int j = 0; j <= i; j++) {
                lower[(int) (i * tokens + j)] = true;
            }
        }
        NDArray causal = m.create(lower, new Shape(1, tokens, tokens));
        NDArray allowed = sameSegment.logicalAnd(keyShared.logicalOr(sameBranch)).logicalAnd(causal);
        return Scalars.mul(allowed.toType(DataType.FLOAT32, false).sub(1f), -MASKED).reshape(batch, 1, tokens, tokens);
    }
}
