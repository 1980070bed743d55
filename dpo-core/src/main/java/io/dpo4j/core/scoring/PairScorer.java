package io.dpo4j.core.scoring;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.data.BatchArrays;
import io.dpo4j.core.data.PaddedSequences;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.kernel.LogProbInput;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.kernel.SequenceLogProbs;
import io.dpo4j.core.train.SequenceScorer;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns preference rows into token sequences (prompt, and response + EOS, tokenised separately) and
 * scores them under a model in padded batches through the shared log-prob kernel.
 */
public final class PairScorer {

    private final TextTokenizer tokenizer;
    private final long eosId;
    private final long padId;
    private final int batchSize;

    /**
     * A scorer appending {@code eosId} to responses, padding with {@code padId}, and running
     * {@code batchSize} sequences per forward pass.
     */
    public PairScorer(TextTokenizer tokenizer, long eosId, long padId, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        this.tokenizer = tokenizer;
        this.eosId = eosId;
        this.padId = padId;
        this.batchSize = batchSize;
    }

    /**
     * A scorer for a model: EOS from the tokenizer's {@code eos_token}, else the config's first
     * {@code eos_token_id}; padding from {@code pad_token} / {@code pad_token_id}, else EOS.
     *
     * @throws DpoException when neither names an end-of-sequence token
     */
    public static PairScorer forModel(TextTokenizer tokenizer, LlamaConfig config, int batchSize) {
        long eos;
        if (tokenizer.eosTokenId().isPresent()) {
            eos = tokenizer.eosTokenId().getAsLong();
        } else if (!config.eosTokenIds().isEmpty()) {
            eos = config.eosTokenIds().get(0);
        } else {
            throw new DpoException("the model has no end-of-sequence token: set eos_token in tokenizer_config.json "
                    + "or eos_token_id in config.json");
        }
        long pad = tokenizer.padTokenId().orElse(config.padTokenIds().isEmpty() ? eos : config.padTokenIds().get(0));
        if (eos >= config.vocabSize()) {
            throw new DpoException("the end-of-sequence token id " + eos + " is outside the vocabulary of "
                    + config.vocabSize());
        }
        return new PairScorer(tokenizer, eos, pad < config.vocabSize() ? pad : eos, batchSize);
    }

    /** The EOS id appended to responses. */
    public long eosId() {
        return eosId;
    }

    /**
     * Two sequences per row, chosen then rejected.
     *
     * @throws DpoException naming the file, line and field when a prompt tokenises to nothing
     */
    public List<ResponseSequence> sequences(Path file, List<PreferenceRow> rows) {
        List<ResponseSequence> sequences = new ArrayList<>(2 * rows.size());
        for (PreferenceRow row : rows) {
            long[] prompt = tokenizer.encode(row.prompt());
            if (prompt.length == 0) {
                throw new DpoException(file + ":" + row.line() + ": field prompt has no tokens; the first response "
                        + "token must be scored from a prompt position");
            }
            sequences.add(ResponseSequence.of(prompt, tokenizer.encode(row.chosen()), eosId));
            sequences.add(ResponseSequence.of(prompt, tokenizer.encode(row.rejected()), eosId));
        }
        return sequences;
    }

    private static int[] ints(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /**
     * Scores sequences in batches of {@code batchSize} through the chunked log-prob kernel.
     *
     * @throws DpoException when a token id is outside the model's vocabulary
     */
    public List<SequenceScore> score(LlamaModel model, List<ResponseSequence> sequences) {
        return score(model, sequences, KernelType.CHUNKED.create());
    }

    /** Scores sequences in batches through the given log-prob kernel (per-token values included). */
    public List<SequenceScore> score(LlamaModel model, List<ResponseSequence> sequences, LogProbKernel kernel) {
        int vocab = model.config().vocabSize();
        for (ResponseSequence s : sequences) {
            for (int t = 0; t < s.length(); t++) {
                if (s.tokenAt(t) >= vocab) {
                    throw new DpoException("token id " + s.tokenAt(t) + " is outside the model's vocabulary of " + vocab
                            + " (is the tokenizer the model's?)");
                }
            }
        }
        List<SequenceScore> scores = new ArrayList<>(sequences.size());
        try (NDManager manager = model.manager().newSubManager()) {
            for (int start = 0; start < sequences.size(); start += batchSize) {
                List<ResponseSequence> part = sequences.subList(start, Math.min(sequences.size(), start + batchSize));
                List<TokenIds> prompts = new ArrayList<>();
                List<TokenIds> responses = new ArrayList<>();
                for (ResponseSequence r : part) {
                    prompts.add(TokenIds.of(ints(r.promptIds())));
                    responses.add(TokenIds.of(ints(r.responseIds())));
                }
                try (NDManager step = manager.newSubManager()) {
                    PaddedSequences padded = PaddedSequences.of(prompts, responses, (int) padId);
                    BatchArrays arrays = padded.toArrays(step, DataType.FLOAT32);
                    NDArray hidden = SequenceScorer.hidden(model, arrays, step);
                    SequenceLogProbs stats = kernel.statistics(LogProbInput.of(step, hidden, model.lmHeadWeight(),
                            arrays.labels(), arrays.responseMask()).withTokenLogProbs());
                    float[] tokens = stats.tokenLogProbs().orElseThrow().toType(DataType.FLOAT32, false)
                            .toFloatArray();
                    int width = padded.width();
                    for (int r = 0; r < part.size(); r++) {
                        int first = padded.promptLength(r) - 1;
                        float[] values = new float[padded.responseTokens(r)];
                        System.arraycopy(tokens, r * width + first, values, 0, values.length);
                        scores.add(new SequenceScore(values));
                    }
                }
            }
        }
        return scores;
    }
}
