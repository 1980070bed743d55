package io.dpo4j.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * (prompt, response) sequences laid out in rows of <em>segments</em>, the alternative to
 * {@link PaddedSequences} for prompt sharing and padding-free packing. A segment is one prompt followed
 * by one or more responses: {@code [prompt, response₁, response₂, …]}. Each response's tokens see the
 * prompt and the response's own earlier tokens, never another response; each response's positions
 * continue from the prompt ({@code promptLength + i} for its token i), so each response computes exactly
 * what it computes alone after its prompt. With {@code share}, sequences whose prompts are equal (a pair's
 * chosen and rejected) are one segment, so the prompt is computed once. With packing, several segments
 * share a row (first-fit decreasing into rows of {@code rowTokens}, at least the longest segment), each
 * with its own block of the mask and positions restarted at 0, so no compute goes to padding rows.
 *
 * <p>For the log-prob kernel the layout names, per sequence, the row positions whose hidden states predict
 * its response tokens: the prompt's last position (for the first response token — shared by every response
 * of a segment), then the response's own positions but the last. {@link #toArrays} turns that into a
 * gather index of {@code S×R} (R = the longest response), see {@link SegmentedArrays}. Pure Java.
 */
public final class SegmentedRows {

    private final int rows;
    private final int width;
    private final int padId;
    private final int[] ids;
    private final int[] positions;
    private final int[] segments;
    private final int[] branches;
    private final int sequences;
    private final int longestResponse;
    /** Per sequence: the flat (row · width + t) positions predicting its response tokens, in order. */
    private final int[][] predicting;
    private final int[][] responseIds;
    private final int realTokens;

    private SegmentedRows(int rows, int width, int padId, int[] ids, int[] positions, int[] segments, int[] branches,
            int[][] predicting, int[][] responseIds, int realTokens) {
        this.rows = rows;
        this.width = width;
        this.padId = padId;
        this.ids = ids;
        this.positions = positions;
        this.segments = segments;
        this.branches = branches;
        this.sequences = predicting.length;
        this.predicting = predicting;
        this.responseIds = responseIds;
        this.realTokens = realTokens;
        int longest = 0;
        for (int[] r : responseIds) {
            longest = Math.max(longest, r.length);
        }
        this.longestResponse = longest;
    }

    /**
     * Lays out the sequences {@code (prompts[i], responses[i])}.
     *
     * @param prompts each at least one id
     * @param responses each at least one id, as many as prompts
     * @param padId the id written in the unused tail of a row
     * @param share one segment per distinct prompt (its sequences in order); false: one per sequence
     * @param rowTokens pack segments into rows of this many tokens (raised to the longest segment); 0: one
     *     segment per row
     */
    public static SegmentedRows of(List<TokenIds> prompts, List<TokenIds> responses, int padId, boolean share,
            int rowTokens) {
        if (prompts.size() != responses.size() || prompts.isEmpty()) {
            throw new IllegalArgumentException("need as many prompts as responses, at least one; got "
                    + prompts.size() + " and " + responses.size());
        }
        if (rowTokens < 0) {
            throw new IllegalArgumentException("rowTokens must be >= 0, got " + rowTokens);
        }
        List<List<Integer>> groups = groups(prompts, share);
        int[] lengths = new int[groups.size()];
        int longest = 0;
        for (int g = 0; g < lengths.length; g++) {
            List<Integer> members = groups.get(g);
            TokenIds prompt = prompts.get(members.get(0));
            if (prompt.isEmpty()) {
                throw new IllegalArgumentException("sequence " + members.get(0) + ": the prompt needs at least one token");
            }
            int length = prompt.length();
            for (int s : members) {
                if (responses.get(s).isEmpty()) {
                    throw new IllegalArgumentException("sequence " + s + ": the response needs at least one token");
                }
                length = Math.addExact(length, responses.get(s).length());
            }
            lengths[g] = length;
            longest = Math.max(longest, length);
        }
        List<List<Integer>> rowsOfGroups = rowTokens == 0 ? singletons(lengths.length)
                : pack(lengths, Math.max(rowTokens, longest));
        int width = 0;
        for (List<Integer> row : rowsOfGroups) {
            int fill = 0;
            for (int g : row) {
                fill += lengths[g];
            }
            width = Math.max(width, fill);
        }
        int rows = rowsOfGroups.size();
        int cells = Math.multiplyExact(rows, width);
        int[] ids = new int[cells];
        int[] positions = new int[cells];
        int[] segments = new int[cells];
        int[] branches = new int[cells];
        Arrays.fill(ids, padId);
        Arrays.fill(segments, -1);
        int[][] predicting = new int[prompts.size()][];
        int[][] responseIds = new int[prompts.size()][];
        int real = 0;
        for (int r = 0; r < rows; r++) {
            int at = r * width;
            int segment = 0;
            for (int g : rowsOfGroups.get(r)) {
                List<Integer> members = groups.get(g);
                int[] prompt = prompts.get(members.get(0)).toArray();
                int lastPrompt = at + prompt.length - 1;
                for (int i = 0; i < prompt.length; i++) {
                    ids[at] = prompt[i];
                    positions[at] = i;
                    segments[at] = segment;
                    at++;
                }
                int branch = 1;
                for (int s : members) {
                    int[] response = responses.get(s).toArray();
                    int[] pred = new int[response.length];
                    pred[0] = lastPrompt;
                    for (int i = 0; i < response.length; i++) {
                        ids[at] = response[i];
                        positions[at] = prompt.length + i;
                        segments[at] = segment;
                        branches[at] = branch;
                        if (i + 1 < response.length) {
                            pred[i + 1] = at;
                        }
                        at++;
                    }
                    predicting[s] = pred;
                    responseIds[s] = response;
                    branch++;
                }
                real += lengths[g];
                segment++;
            }
        }
        return new SegmentedRows(rows, width, padId, ids, positions, segments, branches, predicting, responseIds, real);
    }

    /** Sequence indices grouped by equal prompts (first appearance order), or one group per sequence. */
    private static List<List<Integer>> groups(List<TokenIds> prompts, boolean share) {
        if (!share) {
            return singletons(prompts.size());
        }
        Map<TokenIds, List<Integer>> byPrompt = new LinkedHashMap<>();
        for (int i = 0; i < prompts.size(); i++) {
            byPrompt.computeIfAbsent(prompts.get(i), k -> new ArrayList<>()).add(i);
        }
        return new ArrayList<>(byPrompt.values());
    }

    private static List<List<Integer>> singletons(int n) {
        List<List<Integer>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(List.of(i));
        }
        return out;
    }

    /** First-fit decreasing: segments (by length, longest first; ties in order) into rows of {@code capacity}. */
    private static List<List<Integer>> pack(int[] lengths, int capacity) {
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> lengths[a] != lengths[b] ? Integer.compare(lengths[b], lengths[a])
                : Integer.compare(a, b));
        List<List<Integer>> rows = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        for (int g : order) {
            int row = -1;
            for (int r = 0; r < rows.size() && row < 0; r++) {
                if (free.get(r) >= lengths[g]) {
                    row = r;
                }
            }
            if (row < 0) {
                rows.add(new ArrayList<>());
                free.add(capacity);
                row = rows.size() - 1;
            }
            rows.get(row).add(g);
            free.set(row, free.get(row) - lengths[g]);
        }
        return rows;
    }

    /** Rows of the layout (B). */
    public int rows() {
        return rows;
    }

    /** Positions per row (T): the fullest row's tokens. */
    public int width() {
        return width;
    }

    /** Sequences laid out (S). */
    public int sequences() {
        return sequences;
    }

    /** The longest response (R): the second dimension of the kernel's gathered layout. */
    public int longestResponse() {
        return longestResponse;
    }

    /** Tokens that are not padding (prompts once per segment, every response). */
    public int realTokens() {
        return realTokens;
    }

    /** The id at a row position (the pad id in a row's unused tail). */
    public int token(int row, int t) {
        return ids[row * width + t];
    }

    /** The rotary position of a row position (0 in the unused tail). */
    public int position(int row, int t) {
        return positions[row * width + t];
    }

    /** The segment of a row position within its row (0, 1, …), −1 in the unused tail. */
    public int segment(int row, int t) {
        return segments[row * width + t];
    }

    /** The branch of a row position: 0 for a prompt (and padding), 1, 2, … for a segment's responses. */
    public int branch(int row, int t) {
        return branches[row * width + t];
    }

    /** The response ids of a sequence. */
    public TokenIds responseIds(int sequence) {
        return TokenIds.of(responseIds[sequence]);
    }

    /** Response tokens of a sequence. */
    public int responseTokens(int sequence) {
        return responseIds[sequence].length;
    }

    /**
     * The flat row positions ({@code row · width + t}) whose hidden states predict the sequence's response
     * tokens, one per token in order: the prompt's last position first.
     */
    public int[] predictingPositions(int sequence) {
        return predicting[sequence].clone();
    }

    /** The pad id. */
    public int padId() {
        return padId;
    }

    /** The batch as NDArrays on {@code manager} (see {@link SegmentedArrays}). */
    public SegmentedArrays toArrays(ai.djl.ndarray.NDManager manager) {
        return SegmentedArrays.of(this, manager, ids, positions, segments, branches, predicting, responseIds);
    }
}
