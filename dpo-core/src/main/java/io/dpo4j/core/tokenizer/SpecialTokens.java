package io.dpo4j.core.tokenizer;

import io.dpo4j.core.DpoException;
import io.dpo4j.core.model.LlamaConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * The model's BOS, EOS and padding ids, resolved by one rule for every command: a token named in
 * {@code tokenizer_config.json} ({@code bos_token}, {@code eos_token}, {@code pad_token}) wins, else
 * the first id of {@code config.json} ({@code bos_token_id}, {@code eos_token_id},
 * {@code pad_token_id}); padding falls back to EOS (it is masked, so any valid id serves). Every id
 * must lie inside the model's vocabulary.
 *
 * <p>How they are used: a response ends with {@link #eos()} (appended unless already its last
 * token); a prompt starts with BOS only when the chat template writes it, or, for plain text, when
 * {@code data.add_bos} asks for it; padding never reaches a loss.
 *
 * @param bos the beginning-of-sequence id, if the model has one
 * @param eos the end-of-sequence id
 * @param pad the padding id
 * @param vocabularySize the model's vocabulary size
 */
public record SpecialTokens(OptionalInt bos, int eos, int pad, int vocabularySize) {

    /**
     * Resolves the ids of a model folder's tokenizer and {@code config.json}.
     *
     * @param folder the model folder, for messages
     * @throws DpoException naming the file when there is no EOS, or an id is outside the vocabulary
     */
    public static SpecialTokens resolve(TextTokenizer tokenizer, LlamaConfig config, Path folder) {
        return resolve(tokenizer, config.vocabSize(), config.bosTokenIds(), config.eosTokenIds(), config.padTokenIds(),
                folder);
    }

    /**
     * The same from {@code config.json}'s values themselves (for a model whose architecture is not
     * supported, whose data can still be inspected).
     */
    public static SpecialTokens resolve(TextTokenizer tokenizer, int vocabulary, List<Integer> configBos,
            List<Integer> configEos, List<Integer> configPad, Path folder) {
        Integer eos = pick(tokenizer.eosTokenId().isPresent() ? (int) tokenizer.eosTokenId().getAsLong() : null,
                configEos);
        if (eos == null) {
            throw new DpoException(folder.resolve("tokenizer_config.json") + ": the model defines no end-of-sequence token "
                    + "(set eos_token here, or eos_token_id in config.json); responses need one appended");
        }
        Integer pad = pick(tokenizer.padTokenId().isPresent() ? (int) tokenizer.padTokenId().getAsLong() : null,
                configPad);
        Integer bos = pick(tokenizer.bosTokenId().isPresent() ? (int) tokenizer.bosTokenId().getAsLong() : null,
                configBos);
        check(folder, "eos", eos, vocabulary);
        if (bos != null) {
            check(folder, "bos", bos, vocabulary);
        }
        int padId = pad != null && pad >= 0 && pad < vocabulary ? pad : eos;
        return new SpecialTokens(bos == null ? OptionalInt.empty() : OptionalInt.of(bos), eos, padId, vocabulary);
    }

    private static Integer pick(Integer fromTokenizer, List<Integer> fromConfig) {
        if (fromTokenizer != null) {
            return fromTokenizer;
        }
        return fromConfig.isEmpty() ? null : fromConfig.get(0);
    }

    private static void check(Path folder, String which, int id, int vocabulary) {
        if (id < 0 || id >= vocabulary) {
            throw new DpoException(folder.resolve("tokenizer_config.json") + ": the " + which + " token's id " + id
                    + " is outside the model's vocabulary of " + vocabulary + " (vocab_size in "
                    + folder.resolve("config.json") + ")");
        }
    }

    /**
     * Refuses a tokenizer that can produce ids the model does not have, naming both files.
     *
     * @throws DpoException when the tokenizer's highest id is at or above the model's vocabulary size
     */
    public static void requireFits(TextTokenizer tokenizer, int modelVocabulary, Path folder) {
        int size = tokenizer.vocabularySize().orElse(0);
        if (size > modelVocabulary) {
            throw new DpoException(folder.resolve("tokenizer.json") + ": the tokenizer has " + size + " tokens (ids up to "
                    + (size - 1) + ") but the model's vocabulary has " + modelVocabulary + " (vocab_size in "
                    + folder.resolve("config.json") + "); they do not belong together");
        }
    }

    /** E.g. {@code bos 1, eos 2, pad 2}. */
    public String describe() {
        return (bos.isPresent() ? "bos " + bos.getAsInt() + ", " : "no bos, ") + "eos " + eos + ", pad " + pad;
    }
}
