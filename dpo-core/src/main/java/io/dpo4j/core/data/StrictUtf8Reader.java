package io.dpo4j.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a byte stream as strict UTF-8, streaming, and reports an invalid byte sequence with its line
 * and its byte within the line (as the line-by-line decoding of JSON Lines does).
 */
final class StrictUtf8Reader extends Reader {

    /** An invalid byte sequence, with the line it is on. */
    static final class InvalidUtf8Exception extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient BadRowException fault;
        private final int line;

        InvalidUtf8Exception(BadRowException fault, int line) {
            super(fault.getMessage());
            this.fault = fault;
            this.line = line;
        }

        BadRowException fault() {
            return fault;
        }

        int line() {
            return line;
        }
    }

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16);
    private final CharBuffer chars = CharBuffer.allocate(1 << 16);
    private boolean eof;
    private boolean flushed;
    private long offset; // absolute offset of bytes.position()
    private int line = 1;
    private long lineStart;

    StrictUtf8Reader(InputStream in) {
        this.in = in;
        bytes.flip();
        chars.flip();
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!chars.hasRemaining()) {
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, chars.remaining());
        chars.get(cbuf, off, n);
        return n;
    }

    private boolean fill() throws IOException {
        if (flushed) {
            return false;
        }
        chars.clear();
        boolean needMore = !bytes.hasRemaining();
        while (true) {
            if (needMore && !eof) {
                bytes.compact();
                int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                if (n < 0) {
                    eof = true;
                } else {
                    bytes.position(bytes.position() + n);
                }
                bytes.flip();
            }
            int before = bytes.position();
            CoderResult result = decoder.decode(bytes, chars, eof);
            track(before, bytes.position());
            if (result.isError()) {
                long column = offset - lineStart + 1;
                throw new InvalidUtf8Exception(new BadRowException(BadRowReason.INVALID_UTF8, null, "invalid UTF-8 at byte "
                        + column + " of the line (" + SourceFile.describeByte(bytes.get(bytes.position())) + ")"), line);
            }
            if (chars.position() > 0) {
                chars.flip();
                return true;
            }
            if (eof && !bytes.hasRemaining()) {
                decoder.flush(chars);
                flushed = true;
                chars.flip();
                return chars.hasRemaining();
            }
            needMore = true;
        }
    }

    private void track(int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes.get(i) == '\n') {
                line++;
                lineStart = offset + (i - from) + 1;
            }
        }
        offset += to - from;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
