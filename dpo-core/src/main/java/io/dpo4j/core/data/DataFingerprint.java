package io.dpo4j.core.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A SHA-256 over tokenised data and the settings that produced it: the key of the
 * reference-statistics cache. It covers, in order, every example's token ids (prompt, responses;
 * the label of unpaired examples) and the truncation settings, in a fixed big-endian encoding, so it
 * is the same on every run and machine; it leaves out ids and file names, which do not change the
 * statistics.
 */
public final class DataFingerprint {

    private static final String VERSION = "dpo4j-data-fingerprint-v1";

    private DataFingerprint() {
    }

    /** The fingerprint of tokenised data with its own settings. */
    public static String of(TokenizedData<? extends TokenizedExample> data) {
        return of(data.examples(), data.settings());
    }

    /** 64 lower-case hex digits. */
    public static String of(List<? extends TokenizedExample> examples, TruncationSettings settings) {
        MessageDigest sha = sha256();
        update(sha, VERSION);
        update(sha, settings.describe());
        updateInt(sha, examples.size());
        for (TokenizedExample e : examples) {
            if (e instanceof TokenizedPair p) {
                sha.update((byte) 'P');
                update(sha, p.prompt());
                update(sha, p.chosen());
                update(sha, p.rejected());
            } else {
                TokenizedUnpaired u = (TokenizedUnpaired) e;
                sha.update((byte) 'U');
                update(sha, u.prompt());
                update(sha, u.completion());
                sha.update((byte) (u.desirable() ? 1 : 0));
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void update(MessageDigest sha, TokenIds ids) {
        updateInt(sha, ids.length());
        for (int i = 0; i < ids.length(); i++) {
            updateInt(sha, ids.get(i));
        }
    }

    private static void update(MessageDigest sha, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        updateInt(sha, bytes.length);
        sha.update(bytes);
    }

    private static void updateInt(MessageDigest sha, int v) {
        sha.update((byte) (v >>> 24));
        sha.update((byte) (v >>> 16));
        sha.update((byte) (v >>> 8));
        sha.update((byte) v);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
