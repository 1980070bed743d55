package io.dpo4j.core.train;

import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.io.Checksums;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reference-model log-probs, computed once in a no-grad pass and kept on disk, so that training never
 * holds the reference model in memory and a rerun never runs it again.
 *
 * <p>Entries are keyed by the <em>content</em> of a scored sequence — the prompt's token ids and the
 * response's token ids — so the same cache serves chosen, rejected, unpaired and KTO's mismatched
 * (prompt, completion) pairs alike. The file is named by a key over everything that could change the
 * values: the reference model's fingerprint, the data fingerprint and the tokenisation settings. A
 * file whose checksum does not verify is ignored (and recomputed), never trusted.
 */
public final class ReferenceCache {

    private static final int MAGIC = 0x44504f52; // "DPOR"
    private static final int VERSION = 1;

    private final Map<Key, Double> values;

    private ReferenceCache(Map<Key, Double> values) {
        this.values = values;
    }

    /** A 128-bit content key of one (prompt, response) sequence. */
    public record Key(long high, long low) {

        /** The key of a prompt's and a response's token ids. */
        public static Key of(int[] prompt, int[] response) {
            MessageDigest d = Checksums.sha256();
            ByteBuffer b = ByteBuffer.allocate(8 + 4 * (prompt.length + response.length));
            b.putInt(prompt.length).putInt(response.length);
            for (int t : prompt) {
                b.putInt(t);
            }
            for (int t : response) {
                b.putInt(t);
            }
            ByteBuffer h = ByteBuffer.wrap(d.digest(b.array()));
            return new Key(h.getLong(), h.getLong());
        }
    }

    /** An empty cache to fill. */
    public static ReferenceCache empty() {
        return new ReferenceCache(new HashMap<>());
    }

    /** The file name for a cache key (a hex SHA-256 of the inputs that determine the values). */
    public static String fileName(String cacheKey) {
        return "reference-" + cacheKey.substring(0, 32) + ".bin";
    }

    /** The cache key of a reference fingerprint, a data fingerprint and tokenisation settings. */
    public static String cacheKey(String referenceFingerprint, String dataFingerprint, String settings) {
        return Checksums.sha256((referenceFingerprint + "\n" + dataFingerprint + "\n" + settings)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Stores a value. */
    public void put(Key key, double logProb) {
        values.put(key, logProb);
    }

    /** The value of a sequence, if cached. */
    public Optional<Double> find(Key key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The value of a sequence. */
    public double get(Key key) {
        Double v = values.get(key);
        if (v == null) {
            throw new IllegalStateException("no reference log-prob cached for a sequence; the reference pass missed it");
        }
        return v;
    }

    /** True when the sequence is cached. */
    public boolean contains(Key key) {
        return values.containsKey(key);
    }

    /** Number of cached sequences. */
    public int size() {
        return values.size();
    }

    /** Writes the cache atomically, with a trailing SHA-256 of its content. */
    public void save(Path file) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(16 + values.size() * 24);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(values.size());
            for (Map.Entry<Key, Double> e : values.entrySet()) {
                out.writeLong(e.getKey().high());
                out.writeLong(e.getKey().low());
                out.writeDouble(e.getValue());
            }
        }
        byte[] body = bytes.toByteArray();
        byte[] sum = Checksums.sha256().digest(body);
        AtomicFiles.write(file, o -> {
            o.write(body);
            o.write(sum);
        });
    }

    /**
     * Reads a cache file.
     *
     * @return the cache, or empty when the file is absent, partial or corrupt (it is then recomputed)
     */
    public static Optional<ReferenceCache> load(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            byte[] all = Files.readAllBytes(file);
            if (all.length < 16 + 32) {
                return Optional.empty();
            }
            byte[] body = java.util.Arrays.copyOf(all, all.length - 32);
            byte[] sum = java.util.Arrays.copyOfRange(all, all.length - 32, all.length);
            if (!MessageDigest.isEqual(sum, Checksums.sha256().digest(body))) {
                return Optional.empty();
            }
            try (InputStream raw = new java.io.ByteArrayInputStream(body); DataInputStream in = new DataInputStream(raw)) {
                if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                    return Optional.empty();
                }
                long n = in.readLong();
                Map<Key, Double> values = new HashMap<>();
                for (long i = 0; i < n; i++) {
                    values.put(new Key(in.readLong(), in.readLong()), in.readDouble());
                }
                return Optional.of(new ReferenceCache(values));
            }
        } catch (IOException e) {
            throw new DpoException("cannot read the reference cache " + file + ": " + e.getMessage(), e);
        }
    }
}
