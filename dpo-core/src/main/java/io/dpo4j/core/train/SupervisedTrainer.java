package io.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.data.BatchArrays;
import io.dpo4j.core.data.PaddedSequences;
import io.dpo4j.core.data.TokenEncoder;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.kernel.KernelForward;
import io.dpo4j.core.kernel.LogProbInput;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.model.LlamaModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Supervised warm-up ({@code dpo sft}): next-token training on a corpus, so that a randomly
 * initialised model becomes a reference policy that speaks the language. Each text is tokenised,
 * EOS appended; every token after the first is predicted; the loss is the token-mean negative
 * log-likelihood of the batch, computed through the shared log-prob kernel.
 */
public final class SupervisedTrainer {

    /**
     * Settings.
     *
     * @param steps optimizer steps
     * @param lr peak learning rate (linear warm-up over 5% of the steps, then linear decay)
     * @param batchSize texts per step
     * @param maxLength longest sequence kept (longer texts are cut, EOS kept)
     * @param seed data order
     */
    public record Settings(int steps, double lr, int batchSize, int maxLength, long seed) {
    }

    /** What the warm-up measured. */
    public record Result(double firstLoss, double lastLoss, long tokens, double seconds) {
    }

    private final LlamaModel model;
    private final LogProbKernel kernel;
    private final int padId;

    public SupervisedTrainer(LlamaModel model, LogProbKernel kernel, int padId) {
        this.model = model;
        this.kernel = kernel;
        this.padId = padId;
    }

    /** Trains the model in place on the texts. */
    public Result train(List<String> texts, TokenEncoder encoder, Settings s, ProgressBar bar) {
        List<TokenIds[]> sequences = new ArrayList<>();
        for (String t : texts) {
            int[] ids = encoder.encode(t);
            if (ids.length == 0) {
                continue;
            }
            int keep = Math.min(ids.length, Math.max(1, s.maxLength() - 1));
            int[] body = java.util.Arrays.copyOf(ids, keep);
            int[] rest = new int[keep];
            System.arraycopy(body, 1, rest, 0, keep - 1);
            rest[keep - 1] = encoder.eosTokenId();
            sequences.add(new TokenIds[] {TokenIds.of(body[0]), TokenIds.of(rest)});
        }
        if (sequences.isEmpty()) {
            throw new DpoException("the supervised corpus has no text with at least one token");
        }
        model.setTrainable(true);
        Random rng = new Random(s.seed());
        List<Integer> order = new ArrayList<>();
        LearningRateSchedule schedule = new LearningRateSchedule(s.lr(), Math.max(1, s.steps() / 20),
                Decay.LINEAR, s.steps());
        double first = Double.NaN;
        double last = Double.NaN;
        long tokens = 0;
        long start = System.nanoTime();
        NDManager root = model.manager();
        try (AdamW adam = new AdamW(root, 0.9, 0.999, 1e-8, 0.0)) {
            // The long-lived arrays first, so that every step's activations reuse one region above them.
            adam.prepare(model.parameters());
            int cursor = 0;
            for (int step = 0; step < s.steps(); step++) {
                List<TokenIds> prompts = new ArrayList<>();
                List<TokenIds> responses = new ArrayList<>();
                for (int i = 0; i < s.batchSize(); i++) {
                    if (cursor == order.size()) {
                        order.clear();
                        for (int k = 0; k < sequences.size(); k++) {
                            order.add(k);
                        }
                        java.util.Collections.shuffle(order, rng);
                        cursor = 0;
                    }
                    TokenIds[] seq = sequences.get(order.get(cursor++));
                    prompts.add(seq[0]);
                    responses.add(seq[1]);
                }
                double loss;
                try (NDManager scope = root.newSubManager()) {
                    PaddedSequences padded = PaddedSequences.of(prompts, responses, padId);
                    BatchArrays arrays = padded.toArrays(scope, DataType.FLOAT32);
                    try (GradientCollector gc = scope.getEngine().newGradientCollector()) {
                        NDArray h = SequenceScorer.hidden(model, arrays, scope);
                        try (KernelForward f = kernel.forward(LogProbInput.of(scope, h, model.lmHeadWeight(),
                                arrays.labels(), arrays.responseMask()), gc)) {
                            double[] logps = ObjectiveMath.toDoubles(f.statistics().logProbs());
                            double n = 0;
                            double sum = 0;
                            for (int r = 0; r < padded.rows(); r++) {
                                n += padded.responseTokens(r);
                                sum += logps[r];
                            }
                            loss = -sum / n;
                            float[] g = new float[padded.rows()];
                            java.util.Arrays.fill(g, (float) (-1.0 / n));
                            f.backward(scope.create(g));
                            tokens += (long) n;
                        }
                    }
                }
                if (!Double.isFinite(loss)) {
                    throw new DpoException(String.format(Locale.ROOT,
                            "supervised warm-up: the loss became %s at step %d; lower sft.lr (now %g)", loss, step + 1,
                            s.lr()));
                }
                try (NDManager scratch = root.newSubManager()) {
                    Gradients.clipGlobalNorm(model.parameters(), 1.0, scratch);
                }
                adam.update(model.parameters(), schedule.at(step));
                Gradients.zero(model.parameters());
                if (step == 0) {
                    first = loss;
                }
                last = loss;
                if (bar != null) {
                    double sec = (System.nanoTime() - start) / 1e9;
                    bar.update(step + 1, String.format(Locale.ROOT, "loss %.3f  %.0f tok/s", loss, tokens / sec));
                }
            }
        }
        model.setTrainable(false);
        return new Result(first, last, tokens, (System.nanoTime() - start) / 1e9);
    }
}
