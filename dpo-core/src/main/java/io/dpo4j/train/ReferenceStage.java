package io.dpo4j.train;

import io.dpo4j.core.DpoException;
import io.dpo4j.core.data.BatchSampler;
import io.dpo4j.core.data.PaddedSequences;
import io.dpo4j.core.data.SamplerPosition;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.data.TokenizedUnpaired;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.train.BatchLayout;
import io.dpo4j.core.train.ModelHub;
import io.dpo4j.core.train.ReferenceCache;
import io.dpo4j.core.train.ReferencePass;
import io.dpo4j.core.lora.PeftAdapterFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference statistics of a run, before training: every sequence training and evaluation will
 * score (chosen, rejected, unpaired completions, and KTO's mismatched rows, found by walking the
 * sampler), taken from precomputed statistics or computed once by the reference model.
 */
final class ReferenceStage {

    /** The statistics, whether a cache file was reused, and how many sequences the model scored. */
    record Outcome(ReferenceCache cache, boolean reused, int scored) {
    }

    private ReferenceStage() {
    }

    static Outcome run(Reference reference, Path initialPolicy, PreparedData data, BatchSampler sampler,
            MicroBatches micro, long totalSteps, boolean mismatched, LogProbKernel kernel, int pad, int batchRows,
            Path cacheDir, Device device, BatchLayout layout, PrintWriter log) throws IOException {
        List<TokenIds[]> sequences = sequences(data, sampler, micro, totalSteps, mismatched);
        if (reference instanceof Reference.Statistics s) {
            long missing = sequences.stream().filter(x -> !s.cache().contains(ReferenceCache.Key.of(x[0].toArray(),
                    x[1].toArray()))).count();
            if (missing > 0) {
                throw new DpoException("reference statistics: the given statistics lack " + missing + " of the "
                        + sequences.size() + " sequences this run scores (computed for other data or lengths?)");
            }
            log.println("reference statistics: " + s.cache().size() + " precomputed sequences (no reference model)");
            return new Outcome(s.cache(), true, 0);
        }
        ReferencePlan plan = plan(reference, initialPolicy, data, sequences, pad, batchRows, cacheDir);
        List<TokenIds[]> distinct = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            distinct.add(new TokenIds[] {plan.prompts().get(i), plan.responses().get(i)});
        }
        ReferencePass.Outcome o = ReferencePass.run(plan.referenceFolder(), plan.adapterFolder(), plan.cacheFile(),
                distinct, kernel, pad, batchRows, device.toDjl(), layout, log);
        return new Outcome(o.cache(), o.reused(), o.scored());
    }

    /**
     * The reference model, cache file and distinct sequences of a run whose reference is a model (or the
     * initial policy), in the order the reference pass meets them.
     */
    static ReferencePlan plan(Reference reference, Path initialPolicy, PreparedData data, List<TokenIds[]> sequences,
            int pad, int batchRows, Path cacheDir) throws IOException {
        if (reference instanceof Reference.Statistics) {
            throw new DpoException("reference statistics are given precomputed: there is nothing to score");
        }
        // A PEFT adapter as the reference is the adapter on the initial policy: TRL's "SFT adapter as reference".
        Path adapter = reference instanceof Reference.Model m && PeftAdapterFiles.isAdapter(m.folder()) ? m.folder()
                : null;
        Path folder = adapter == null && reference instanceof Reference.Model m
                ? ModelHub.requireModelFolder(m.folder(), "reference") : initialPolicy;
        String key = cacheDir == null ? null : ReferenceCache.cacheKey(ModelHub.fingerprint(folder)
                + (adapter == null ? "" : "+" + ModelHub.fingerprint(adapter)), data.fingerprint(),
                data.truncation().describe());
        Path file = cacheDir == null ? null : ReferencePass.file(cacheDir, key);
        java.util.Map<ReferenceCache.Key, TokenIds[]> distinct = new java.util.LinkedHashMap<>();
        for (TokenIds[] s : sequences) {
            distinct.putIfAbsent(ReferenceCache.Key.of(s[0].toArray(), s[1].toArray()), s);
        }
        List<TokenIds> prompts = new ArrayList<>();
        List<TokenIds> responses = new ArrayList<>();
        for (TokenIds[] s : distinct.values()) {
            prompts.add(s[0]);
            responses.add(s[1]);
        }
        return new ReferencePlan(folder, adapter, file, key, prompts, responses, pad, batchRows);
    }

    static List<TokenIds[]> sequences(PreparedData data, BatchSampler sampler, MicroBatches micro,
            long totalSteps, boolean mismatched) {
        List<TokenIds[]> sequences = new ArrayList<>();
        for (List<TokenizedPair> pairs : List.of(data.trainPairs(), data.validationPairs())) {
            for (TokenizedPair p : pairs) {
                sequences.add(new TokenIds[] {p.prompt(), p.chosen()});
                sequences.add(new TokenIds[] {p.prompt(), p.rejected()});
            }
        }
        for (List<TokenizedUnpaired> examples : List.of(data.trainUnpaired(), data.validationUnpaired())) {
            for (TokenizedUnpaired u : examples) {
                sequences.add(new TokenIds[] {u.prompt(), u.completion()});
            }
        }
        if (mismatched && data.layout() == io.dpo4j.api.DataLayout.UNPAIRED) {
            // KTO's mismatched rows depend on which examples share a micro-batch: walk the sampler.
            SamplerPosition position = SamplerPosition.START;
            for (long step = 0; step < totalSteps; step++) {
                int[] indices = sampler.batch(position);
                position = sampler.next(position);
                for (StepBatch b : micro.of(indices)) {
                    if (b.mismatched().isPresent()) {
                        PaddedSequences m = b.mismatched().get();
                        for (int r = 0; r < m.rows(); r++) {
                            sequences.add(new TokenIds[] {m.promptIds(r), m.responseIds(r)});
                        }
                    }
                }
            }
        }
        return sequences;
    }
}
