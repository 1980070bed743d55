package io.dpo4j.core.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.dpo4j.core.generation.GenerationResult.FinishReason;
import io.dpo4j.core.model.KvCache;
import io.dpo4j.core.model.LlamaModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates continuations of a batch of prompts with a key/value cache. Prompts of different lengths
 * are padded on the left and masked; each row's positions count its real tokens only, so a row
 * generates what it would generate alone. The first pass reads the prompts, every later pass one new
 * token per row. A row stops at its first end-of-sequence token; the batch stops when every row has
 * stopped or after {@code maxNewTokens}. One {@link SplittableRandom} seeded from the options draws
 * every token, rows in order, so a seed fixes the output.
 */
public final class Generator {

    private Generator() {
    }

    /**
     * Generates from token-id prompts.
     *
     * @param prompts the prompts, each with at least one token
     * @param eosIds the tokens that end a row (may be empty: then rows run to the length limit)
     * @param padId the id fed for padding and for rows that have stopped (masked, so any valid id)
     */
    public static GenerationResult generate(LlamaModel model, List<long[]> prompts, SamplingOptions options,
            Set<Long> eosIds, long padId) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts");
        }
        int batch = prompts.size();
        int promptLength = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        if (prompts.stream().anyMatch(p -> p.length == 0)) {
            throw new IllegalArgumentException("every prompt needs at least one token");
        }
        int vocab = model.config().vocabSize();
        int capacity = promptLength + options.maxNewTokens();
        long[] mask = new long[batch * capacity];
        long[] ids = new long[batch * promptLength];
        long[] positions = new long[batch * promptLength];
        long[] nextPosition = new long[batch];
        for (int b = 0; b < batch; b++) {
            long[] p = prompts.get(b);
            int pad = promptLength - p.length;
            for (int t = 0; t < promptLength; t++) {
                boolean real = t >= pad;
                ids[b * promptLength + t] = real ? p[t - pad] : padId;
                positions[b * promptLength + t] = real ? t - pad : 0;
                mask[b * capacity + t] = real ? 1 : 0;
            }
            nextPosition[b] = p.length;
        }
        TokenSampler sampler = new TokenSampler(options.temperature(), options.topP(),
                new SplittableRandom(options.seed()));
        List<List<Long>> generated = new ArrayList<>();
        FinishReason[] finished = new FinishReason[batch];
        for (int b = 0; b < batch; b++) {
            generated.add(new ArrayList<>());
        }
        int seen = promptLength;
        int inputLength = promptLength;
        try (NDManager manager = model.manager().newSubManager(); KvCache cache = model.newCache(manager)) {
            for (int step = 0; step < options.maxNewTokens(); step++) {
                float[] logits = lastLogits(model, cache, manager, ids, positions, mask, batch, inputLength, seen,
                        capacity);
                long[] next = new long[batch];
                boolean anyRunning = false;
                for (int b = 0; b < batch; b++) {
                    if (finished[b] != null) {
                        next[b] = padId;
                        continue;
                    }
                    long token = sampler.sample(logits, b * vocab, vocab);
                    generated.get(b).add(token);
                    next[b] = token;
                    if (eosIds.contains(token)) {
                        finished[b] = FinishReason.EOS;
                    } else {
                        anyRunning = true;
                    }
                }
                if (!anyRunning || step == options.maxNewTokens() - 1) {
                    break;
                }
                ids = next;
                positions = new long[batch];
                for (int b = 0; b < batch; b++) {
                    positions[b] = nextPosition[b]++;
                    mask[b * capacity + seen] = 1;
                }
                seen++;
                inputLength = 1;
            }
        }
        List<long[]> tokens = new ArrayList<>(batch);
        List<FinishReason> reasons = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            tokens.add(generated.get(b).stream().mapToLong(Long::longValue).toArray());
            reasons.add(finished[b] == null ? FinishReason.LENGTH : finished[b]);
        }
        return new GenerationResult(tokens, reasons);
    }

    /** One forward pass over the new inputs; the logits of each row's last position, {@code B·V} floats. */
    private static float[] lastLogits(LlamaModel model, KvCache cache, NDManager manager, long[] ids,
            long[] positions, long[] mask, int batch, int inputLength, int seen, int capacity) {
        try (NDManager step = manager.newSubManager()) {
            long[] visibleMask = new long[batch * seen];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(mask, b * capacity, visibleMask, b * seen, seen);
            }
            NDArray hidden = model.hiddenStates(step.create(ids, new Shape(batch, inputLength)),
                    step.create(visibleMask, new Shape(batch, seen)),
                    step.create(positions, new Shape(batch, inputLength)), cache);
            NDArray last = hidden.get(new NDIndex(":, {}:, :", inputLength - 1));
            return model.logits(last).toFloatArray();
        }
    }
}
