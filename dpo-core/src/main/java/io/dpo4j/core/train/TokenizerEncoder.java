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
}
