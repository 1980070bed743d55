package io.dpo4j.core.data;

/** Checks of text before it reaches a tokenizer. */
final class TextChecks {

    private TextChecks() {
    }

    /** The index of the first lone (unpaired) UTF-16 surrogate, or -1. */
    static int loneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
            if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
