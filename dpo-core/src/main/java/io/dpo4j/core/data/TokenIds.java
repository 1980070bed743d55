package io.dpo4j.core.data;

import java.util.Arrays;

/** An immutable sequence of token ids. */
public final class TokenIds {

    private static final TokenIds EMPTY = new TokenIds(new int[0]);

    private final int[] ids;

    private TokenIds(int[] ids) {
        this.ids = ids;
    }

    /** A copy of the given ids. */
    public static TokenIds of(int... ids) {
        return ids.length == 0 ? EMPTY : new TokenIds(ids.clone());
    }

    /** Number of ids. */
    public int length() {
        return ids.length;
    }

    /** True when there are no ids. */
    public boolean isEmpty() {
        return ids.length == 0;
    }

    /** The id at a position. */
    public int get(int index) {
        return ids[index];
    }

    /** The first {@code n} ids. */
    public TokenIds head(int n) {
        return n >= ids.length ? this : new TokenIds(Arrays.copyOf(ids, n));
    }

    /** The last {@code n} ids. */
    public TokenIds tail(int n) {
        return n >= ids.length ? this : new TokenIds(Arrays.copyOfRange(ids, ids.length - n, ids.length));
    }

    /** These ids followed by one more. */
    public TokenIds append(int id) {
        int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = id;
        return new TokenIds(out);
    }

    /** A copy of the ids. */
    public int[] toArray() {
        return ids.clone();
    }

    /** Copies the ids into {@code target} from {@code offset}. */
    void copyTo(int[] target, int offset) {
        System.arraycopy(ids, 0, target, offset, ids.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenIds other && Arrays.equals(ids, other.ids);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return Arrays.toString(ids);
    }
}
