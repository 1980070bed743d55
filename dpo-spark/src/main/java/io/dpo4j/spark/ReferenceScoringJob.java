package io.dpo4j.spark;

import ai.djl.ndarray.NDManager;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.train.ReferenceCache;
import io.dpo4j.core.train.SequenceScorer;
import io.dpo4j.train.ReferencePlan;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;

/**
 * The reference pass of a {@link ReferencePlan} on Spark. The driver orders the sequences exactly as
 * the single-process pass does ({@link SequenceScorer}: by length, stably) and cuts them into the same
 * batches, so every batch — and so every value — is the one the single-process pass computes; the
 * batches are spread over partitions in that fixed order. Each task loads the reference model once per
 * executor JVM ({@link ExecutorModels}) and scores its batches with one libtorch thread through the
 * shared log-prob kernel in statistics mode.
 */
final class ReferenceScoringJob {

    private ReferenceScoringJob() {
    }

    /** The kernel an executor builds (kernel objects are not serialisable; their settings are). */
    record KernelSpec(KernelType type, long budgetBytes) implements Serializable {
    }

    /** The batches of a plan, in the single-process pass's order. */
    static List<SequenceBatch> batches(ReferencePlan plan) {
        List<TokenIds> prompts = plan.prompts();
        List<TokenIds> responses = plan.responses();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Integer.compare(prompts.get(a).length() + responses.get(a).length(),
                prompts.get(b).length() + responses.get(b).length()));
        List<SequenceBatch> batches = new ArrayList<>();
        int rows = Math.max(1, plan.batchRows());
        for (int start = 0; start < order.size(); start += rows) {
            List<Integer> part = order.subList(start, Math.min(order.size(), start + rows));
            int[][] p = new int[part.size()][];
            int[][] r = new int[part.size()][];
            for (int k = 0; k < part.size(); k++) {
                p[k] = prompts.get(part.get(k)).toArray();
                r[k] = responses.get(part.get(k)).toArray();
            }
            batches.add(new SequenceBatch(batches.size(), p, r));
        }
        return batches;
    }

    /** Scores every sequence of the plan on Spark and returns the filled cache (not yet written). */
    static ReferenceCache run(SparkSession spark, ReferencePlan plan, KernelSpec kernel, int partitions) {
        List<SequenceBatch> batches = batches(plan);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String fault = TaskFaults.partition(spark);
        ScorePartition task = new ScorePartition(plan.referenceFolder().toAbsolutePath().toString(),
                plan.adapterFolder() == null ? null : plan.adapterFolder().toAbsolutePath().toString(), plan.padId(),
                kernel, fault);
        List<ScoredBatch> scored = jsc.parallelize(batches, Math.max(1, Math.min(partitions, batches.size())))
                .mapPartitions(task).collect();
        ReferenceCache cache = ReferenceCache.empty();
        double[][] byBatch = new double[batches.size()][];
        for (ScoredBatch s : scored) {
            byBatch[s.index()] = s.sums();
        }
        for (SequenceBatch b : batches) {
            double[] values = byBatch[b.index()];
            if (values == null || values.length != b.prompts().length) {
                throw new IllegalStateException("batch " + b.index() + " came back incomplete from Spark");
            }
            for (int k = 0; k < values.length; k++) {
                cache.put(ReferenceCache.Key.of(b.prompts()[k], b.responses()[k]), values[k]);
            }
        }
        return cache;
    }

    /** A task: the summed response log-prob of every sequence of its batches. */
    private record ScorePartition(String folder, String adapter, int pad, KernelSpec kernel, String fault)
            implements FlatMapFunction<Iterator<SequenceBatch>, ScoredBatch> {

        @Override
        public Iterator<ScoredBatch> call(Iterator<SequenceBatch> batches) {
            TaskFaults.maybeFail(fault);
            ExecutorModels.oneThreadPerTask();
            LlamaModel model = ExecutorModels.get(folder, adapter);
            List<ScoredBatch> out = new ArrayList<>();
            try (NDManager root = NDManager.newBaseManager()) {
                while (batches.hasNext()) {
                    SequenceBatch b = batches.next();
                    List<TokenIds> p = new ArrayList<>();
                    List<TokenIds> r = new ArrayList<>();
                    for (int k = 0; k < b.prompts().length; k++) {
                        p.add(TokenIds.of(b.prompts()[k]));
                        r.add(TokenIds.of(b.responses()[k]));
                    }
                    SequenceScorer scorer = new SequenceScorer(model, kernel.type().create(kernel.budgetBytes()), pad,
                            p.size());
                    out.add(new ScoredBatch(b.index(), scorer.score(p, r, root, null), null, null));
                }
            }
            return out.iterator();
        }
    }
}
