package io.dpo4j.core.train;

import io.dpo4j.core.data.TokenEncoder;
import io.dpo4j.core.tokenizer.SpecialTokens;
import io.dpo4j.core.tokenizer.TextTokenizer;

/** A model's Hugging Face tokenizer seen as the data layer's {@link TokenEncoder}. */
public final class TokenizerEncoder implements TokenEncoder {

    private final TextTokenizer tokenizer;
    private final int eos;
    private final int vocabularySize;

    /**
     * @param tokenizer the tokenizer (adds no special tokens)
     * @param tokens the model's special tokens ({@link SpecialTokens#resolve}): EOS and the vocabulary size
     */
    public TokenizerEncoder(TextTokenizer tokenizer, SpecialTokens tokens) {
        this.tokenizer = tokenizer;
        this.eos = tokens.eos();
        this.vocabularySize = tokens.vocabularySize();
    }

    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text);
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public int eosTokenId() {
        return eos;
    }

    @Override
    public int vocabularySize() {
        return vocabularySize;
    }

    /** The underlying tokenizer. */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** Refuses a tokenizer without EOS, or whose ids do not fit the model's vocabulary. */
    public static void checkVocabulary(TextTokenizer tokenizer, int modelVocabulary, java.nio.file.Path folder) {
        long eos = tokenizer.eosTokenId().orElseThrow(() -> new io.dpo4j.core.DpoException(folder
                + ": the tokenizer defines no end-of-sequence token (eos_token in tokenizer_config.json)"));
        int size = tokenizer.vocabularySize().orElse(0);
        if (size > modelVocabulary || eos >= modelVocabulary) {
            throw new io.dpo4j.core.DpoException(folder + ": the tokenizer has " + Math.max(size, eos + 1)
                    + " tokens (eos id " + eos + ") but the model's vocabulary has " + modelVocabulary
                    + "; they do not belong together");
        }
    }
}
