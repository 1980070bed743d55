package io.dpo4j.core.data;

import java.io.IOException;
import java.io.Reader;

/**
 * Passes characters through to a JSON parser and keeps those of the current row, so that the exact
 * text of one element of a JSON array can be cut out without holding the file: what lies before the
 * current row is let go, and a row that grows past the limit (plus the parser's read-ahead) stops the
 * reading with {@link RowTooLongException}.
 */
final class RecordingReader extends Reader {

    /** Thrown when the current row grows past the limit. */
    static final class RowTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        RowTooLongException() {
            super("row over the limit");
        }
    }

    /** Characters the parser may read ahead of the current token. */
    private static final long SLACK = 1 << 16;

    private final Reader in;
    private final long limit;
    private final StringBuilder recorded = new StringBuilder();
    private long recordedStart;
    private long total;
    private long rowStart;

    RecordingReader(Reader in, long limit) {
        this.in = in;
        this.limit = limit;
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        int n = in.read(cbuf, off, len);
        if (n > 0) {
            recorded.append(cbuf, off, n);
            total += n;
            if (total - rowStart > limit + SLACK) {
                throw new RowTooLongException();
            }
        }
        return n;
    }

    /** The current row starts at {@code offset} (a character offset): what lies before it is let go. */
    void startRow(long offset) {
        rowStart = offset;
        int drop = (int) Math.min(recorded.length(), offset - recordedStart);
        if (drop > 0) {
            recorded.delete(0, drop);
            recordedStart += drop;
        }
    }

    /** The characters from {@code begin} to {@code end} (offsets within the current row). */
    String slice(long begin, long end) {
        return recorded.substring((int) (begin - recordedStart), (int) (end - recordedStart));
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
