package io.dpo4j.spark;

import io.dpo4j.cli.DataPipeline;
import io.dpo4j.cli.ScoreRecords;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedExample;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.data.TokenizedUnpaired;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.scoring.SequenceScore;
import io.dpo4j.core.scoring.TokenScorer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;

/**
 * Scoring of evaluation rows on Spark, batch for batch as {@code dpo score} scores them: the driver
 * forms the batches of rows {@code dpo score} forms (at most {@code batchSize} sequences, a pair being
 * two), tasks score them under the policy (and the reference) with one libtorch thread each, and the
 * driver turns the results into {@code dpo score}'s JSON records ({@link ScoreRecords}).
 */
final class EvaluationJob {

    private EvaluationJob() {
    }

    /** The rows of one batch, and the batch's sequences. */
    record RowBatch(List<DataPipeline.Row> rows, SequenceBatch sequences) {
    }

    /** The batches {@code dpo score} forms from the kept rows. */
    static List<RowBatch> batches(List<DataPipeline.Row> kept, int batchSize) {
        List<RowBatch> batches = new ArrayList<>();
        int start = 0;
        while (start < kept.size()) {
            List<DataPipeline.Row> rows = new ArrayList<>();
            List<int[]> prompts = new ArrayList<>();
            List<int[]> responses = new ArrayList<>();
            while (start < kept.size() && (rows.isEmpty()
                    || prompts.size() + ScoreRecords.sequences(kept.get(start)) <= batchSize)) {
                DataPipeline.Row row = kept.get(start++);
                rows.add(row);
                TokenizedExample t = row.trace().kept();
                if (t instanceof TokenizedPair p) {
                    prompts.add(p.prompt().toArray());
                    responses.add(p.chosen().toArray());
                    prompts.add(p.prompt().toArray());
                    responses.add(p.rejected().toArray());
                } else {
                    TokenizedUnpaired u = (TokenizedUnpaired) t;
                    prompts.add(u.prompt().toArray());
                    responses.add(u.completion().toArray());
                }
            }
            batches.add(new RowBatch(rows, new SequenceBatch(batches.size(), prompts.toArray(new int[0][]),
                    responses.toArray(new int[0][]))));
        }
        return batches;
    }

    /** Scores the batches; element i holds batch i's scores. */
    static List<ScoredBatch> run(SparkSession spark, List<RowBatch> batches, String policy, String reference, int pad,
            int partitions) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String fault = TaskFaults.partition(spark);
        List<SequenceBatch> work = batches.stream().map(RowBatch::sequences).toList();
        List<ScoredBatch> scored = new ArrayList<>(jsc.parallelize(work, Math.max(1, Math.min(partitions,
                work.size()))).mapPartitions(new ScoreRows(policy, reference, pad, fault)).collect());
        scored.sort((a, b) -> Integer.compare(a.index(), b.index()));
        for (int i = 0; i < scored.size(); i++) {
            if (scored.get(i).index() != i) {
                throw new IllegalStateException("batch " + i + " came back missing from Spark");
            }
        }
        return scored;
    }

    /** The scores of one batch's sequences as {@link SequenceScore}s. */
    static List<SequenceScore> scores(float[][] tokens) {
        List<SequenceScore> list = new ArrayList<>(tokens.length);
        for (float[] t : tokens) {
            list.add(new SequenceScore(t));
        }
        return list;
    }

    /** A task: the per-token response log-probs of its batches' sequences, under the policy and the reference. */
    private record ScoreRows(String policy, String reference, int pad, String fault)
            implements FlatMapFunction<Iterator<SequenceBatch>, ScoredBatch> {

        @Override
        public Iterator<ScoredBatch> call(Iterator<SequenceBatch> batches) {
            TaskFaults.maybeFail(fault);
            ExecutorModels.oneThreadPerTask();
            LlamaModel model = ExecutorModels.get(policy, null);
            LlamaModel ref = reference == null ? null : ExecutorModels.get(reference, null);
            TokenScorer policyScorer = new TokenScorer(model, pad);
            TokenScorer referenceScorer = ref == null ? null : new TokenScorer(ref, pad);
            List<ScoredBatch> out = new ArrayList<>();
            while (batches.hasNext()) {
                SequenceBatch b = batches.next();
                List<TokenIds> p = new ArrayList<>();
                List<TokenIds> r = new ArrayList<>();
                for (int k = 0; k < b.prompts().length; k++) {
                    p.add(TokenIds.of(b.prompts()[k]));
                    r.add(TokenIds.of(b.responses()[k]));
                }
                out.add(new ScoredBatch(b.index(), null, tokens(policyScorer.score(p, r)),
                        referenceScorer == null ? null : tokens(referenceScorer.score(p, r))));
            }
            return out.iterator();
        }

        private static float[][] tokens(List<SequenceScore> scores) {
            float[][] t = new float[scores.size()][];
            for (int i = 0; i < t.length; i++) {
                t[i] = scores.get(i).tokenLogProbs();
            }
            return t;
        }
    }
}
