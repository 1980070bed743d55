package io.dpo4j.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines ending with {@code \n} (or the end of the stream), holding at most
 * {@code limit} bytes of one line: a longer line is read past, counted, and flagged instead of kept.
 */
final class LineReader {

    private final InputStream in;
    private final long limit;
    private final byte[] chunk = new byte[1 << 16];
    private int pos;
    private int end;
    private byte[] line = new byte[1024];
    private int length;
    private long total;
    private boolean over;

    LineReader(InputStream in, long limit) {
        this.in = in;
        this.limit = limit;
    }

    /** Reads the next line; false at the end of the stream. */
    boolean next() throws IOException {
        length = 0;
        total = 0;
        over = false;
        boolean any = false;
        while (true) {
            if (pos == end) {
                int n = in.read(chunk, 0, chunk.length);
                pos = 0;
                end = Math.max(0, n);
                if (n <= 0) {
                    return any;
                }
            }
            any = true;
            int i = pos;
            while (i < end && chunk[i] != '\n') {
                i++;
            }
            append(pos, i - pos);
            if (i < end) {
                pos = i + 1;
                return true;
            }
            pos = end;
        }
    }

    private void append(int from, int n) {
        total += n;
        if (over) {
            return;
        }
        if (length + (long) n > limit) {
            over = true;
            length = 0;
            line = new byte[1024]; // let a large buffer go
            return;
        }
        if (length + n > line.length) {
            line = Arrays.copyOf(line, (int) Math.min(limit + 1, Math.max(line.length * 2L, length + (long) n)));
        }
        System.arraycopy(chunk, from, line, length, n);
        length += n;
    }

    /** The line's bytes ({@link #length} of them), without the {@code \n}; empty when over the limit. */
    byte[] bytes() {
        return line;
    }

    /** The number of bytes held. */
    int length() {
        return length;
    }

    /** The line's real length in bytes, also when it was over the limit. */
    long totalLength() {
        return total;
    }

    /** True when the line was longer than the limit (its bytes were not kept). */
    boolean overLimit() {
        return over;
    }
}
