package io.dpo4j.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Rows of prompt + response token ids, right-padded to the longest row, with what the log-prob
 * kernel needs: for row r and position t,
 * <ul>
 *   <li>{@code token(r, t)}: the id at t (the pad id past the row's end);
 *   <li>{@code attends(r, t)}: t is a real token;
 *   <li>{@code label(r, t)}: the id at t+1 — what position t predicts — and the pad id where t+1 is
 *       past the row's end;
 *   <li>{@code predictsResponse(r, t)}: t+1 is a response position, i.e.
 *       {@code promptLength(r) - 1 <= t <= length(r) - 2}; summed over t it gives the response's tokens.
 * </ul>
 * Pure Java; {@link #toArrays} makes NDArrays of it.
 */
public final class PaddedSequences {

    private final int rows;
    private final int width;
    private final int padId;
    private final int[] ids;
    private final int[] promptLengths;
    private final int[] lengths;

    private PaddedSequences(int rows, int width, int padId, int[] ids, int[] promptLengths, int[] lengths) {
        this.rows = rows;
        this.width = width;
        this.padId = padId;
        this.ids = ids;
        this.promptLengths = promptLengths;
        this.lengths = lengths;
    }

    /**
     * Pads rows of prompt + response.
     *
     * @param prompts each at least one id
     * @param responses each at least one id, as many as prompts
     * @param padId the id written past each row's end
     */
    public static PaddedSequences of(List<TokenIds> prompts, List<TokenIds> responses, int padId) {
        if (prompts.size() != responses.size() || prompts.isEmpty()) {
            throw new IllegalArgumentException("need as many prompts as responses, at least one; got "
                    + prompts.size() + " and " + responses.size());
        }
        int rows = prompts.size();
        int[] promptLengths = new int[rows];
        int[] lengths = new int[rows];
        int width = 0;
        for (int r = 0; r < rows; r++) {
            if (prompts.get(r).isEmpty() || responses.get(r).isEmpty()) {
                throw new IllegalArgumentException("row " + r + ": prompt and response need at least one token each");
            }
            promptLengths[r] = prompts.get(r).length();
            lengths[r] = promptLengths[r] + responses.get(r).length();
            width = Math.max(width, lengths[r]);
        }
        int[] ids = new int[Math.multiplyExact(rows, width)];
        java.util.Arrays.fill(ids, padId);
        for (int r = 0; r < rows; r++) {
            prompts.get(r).copyTo(ids, r * width);
            responses.get(r).copyTo(ids, r * width + promptLengths[r]);
        }
        return new PaddedSequences(rows, width, padId, ids, promptLengths, lengths);
    }

    /** The prompt ids of a row. */
    public TokenIds promptIds(int row) {
        int[] out = new int[promptLengths[row]];
        System.arraycopy(ids, row * width, out, 0, out.length);
        return TokenIds.of(out);
    }

    /** The response ids of a row (EOS included where it was appended). */
    public TokenIds responseIds(int row) {
        int[] out = new int[lengths[row] - promptLengths[row]];
        System.arraycopy(ids, row * width + promptLengths[row], out, 0, out.length);
        return TokenIds.of(out);
    }

    /** Number of rows (N). */
    public int rows() {
        return rows;
    }

    /** Positions per row (T): the longest row's length. */
    public int width() {
        return width;
    }

    /** The id written past each row's end. */
    public int padId() {
        return padId;
    }

    /** Prompt tokens of a row. */
    public int promptLength(int row) {
        return promptLengths[row];
    }

    /** Prompt + response tokens of a row (padding excluded). */
    public int length(int row) {
        return lengths[row];
    }

    /** Response tokens of a row: the positions whose prediction is a response token. */
    public int responseTokens(int row) {
        return lengths[row] - promptLengths[row];
    }

    /** The id at a position (the pad id past the row's end). */
    public int token(int row, int t) {
        return ids[row * width + t];
    }

    /** True on the row's real tokens. */
    public boolean attends(int row, int t) {
        return t < lengths[row];
    }

    /** The id that position t predicts (the one at t+1), or the pad id where there is none. */
    public int label(int row, int t) {
        return t + 1 < lengths[row] ? ids[row * width + t + 1] : padId;
    }

    /** True where position t predicts a response token (t+1 is in the response). */
    public boolean predictsResponse(int row, int t) {
        return t + 1 >= promptLengths[row] && t + 1 < lengths[row];
    }

    /** A copy of the ids, N×T. */
    public int[][] inputIds() {
        return table(this::token);
    }

    /** A copy of the labels, N×T. */
    public int[][] labels() {
        return table(this::label);
    }

    /** The attention mask as 0/1, N×T. */
    public int[][] attentionMask() {
        return table((r, t) -> attends(r, t) ? 1 : 0);
    }

    /** The response mask as 0/1, N×T. */
    public int[][] responseMask() {
        return table((r, t) -> predictsResponse(r, t) ? 1 : 0);
    }

    private interface Cell {
        int at(int row, int t);
    }

    private int[][] table(Cell cell) {
        int[][] out = new int[rows][width];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < width; t++) {
                out[r][t] = cell.at(r, t);
            }
        }
        return out;
    }

    /**
     * The batch as NDArrays on {@code manager}: ids and labels int64, masks of {@code maskType}
     * (float32, float64, float16, int32, int64 or boolean), response token counts float32.
     */
    public BatchArrays toArrays(NDManager manager, DataType maskType) {
        Shape shape = new Shape(rows, width);
        int n = rows * width;
        long[] idData = new long[n];
        long[] labelData = new long[n];
        boolean[] attention = new boolean[n];
        boolean[] response = new boolean[n];
        float[] counts = new float[rows];
        for (int r = 0; r < rows; r++) {
            counts[r] = responseTokens(r);
            for (int t = 0; t < width; t++) {
                int i = r * width + t;
                idData[i] = ids[i];
                labelData[i] = label(r, t);
                attention[i] = attends(r, t);
                response[i] = predictsResponse(r, t);
            }
        }
        NDArray inputIds = manager.create(idData, shape);
        NDArray labels = manager.create(labelData, shape);
        NDArray attentionMask = mask(manager, attention, shape, maskType);
        NDArray responseMask = mask(manager, response, shape, maskType);
        NDArray responseTokens = manager.create(counts);
        return new BatchArrays(inputIds, attentionMask, labels, responseMask, responseTokens);
    }

    private static NDArray mask(NDManager manager, boolean[] values, Shape shape, DataType type) {
        int n = values.length;
        switch (type) {
            case BOOLEAN:
                return manager.create(values, shape);
            case INT32: {
                int[] data = new int[n];
                for (int i = 0; i < n; i++) {
                    data[i] = values[i] ? 1 : 0;
                }
                return manager.create(data, shape);
            }
            case INT64: {
                long[] data = new long[n];
                for (int i = 0; i < n; i++) {
                    data[i] = values[i] ? 1 : 0;
                }
                return manager.create(data, shape);
            }
            case FLOAT64: {
                double[] data = new double[n];
                for (int i = 0; i < n; i++) {
                    data[i] = values[i] ? 1 : 0;
                }
                return manager.create(data, shape);
            }
            case FLOAT32:
            case FLOAT16: {
                float[] data = new float[n];
                for (int i = 0; i < n; i++) {
                    data[i] = values[i] ? 1 : 0;
                }
                NDArray floats = manager.create(data, shape);
                if (type == DataType.FLOAT32) {
                    return floats;
                }
                NDArray half = floats.toType(DataType.FLOAT16, false);
                floats.close();
                return half;
            }
            default:
                // Not BFLOAT16 in particular: creating one aborts the JVM on CPU with DJL 0.36.
                throw new IllegalArgumentException("masks can be float32, float64, float16, int32, int64 or boolean, not " + type);
        }
    }
}
