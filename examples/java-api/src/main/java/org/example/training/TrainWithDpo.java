package org.example.training;

import io.dpo4j.core.data.LoadOptions;
import io.dpo4j.core.data.PairedExample;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.objective.DpoObjective;
import io.dpo4j.core.synthetic.SyntheticDataset;
import io.dpo4j.core.train.ModelHub;
import io.dpo4j.train.EvaluationEvent;
import io.dpo4j.train.EvaluationSettings;
import io.dpo4j.train.OptimizerSettings;
import io.dpo4j.train.PreferenceTraining;
import io.dpo4j.train.ProgressListener;
import io.dpo4j.train.TrainingContext;
import io.dpo4j.train.TrainingData;
import io.dpo4j.train.TrainingListener;
import io.dpo4j.train.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Aligns the tiny model with DPO from Java: no YAML, no command line, no run folder. */
public final class TrainWithDpo {

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "target/run");
        PrintWriter log = new PrintWriter(System.err, true);

        // A model and data to start from: the built-in sentiment language and its tiny Llama, warmed up.
        Path language = work.resolve("language");
        new SyntheticDataset().write(language, new SyntheticDataset.Settings(7, 2000, 400, 100, 50));
        Path model = new ModelHub(work.resolve("cache"), log).initialPolicy(ModelHub.TINY, 7,
                ModelHub.WarmUp.defaults(true, 200), language, KernelType.CHUNKED.create());

        // Preference pairs, here read with the ordinary loader; any List<PairedExample> will do.
        TrainingData data = TrainingData.load(List.of(language.resolve("train.jsonl")),
                List.of(language.resolve("validation.jsonl")), LoadOptions.defaults(), 0, 7, log);
        PairedExample mine = TrainingData.pair("mine-1", "the food was", "wonderful and fresh .", "cold .");
        System.out.println("an in-memory pair looks like: " + mine);

        try (TrainingResult result = PreferenceTraining.builder()
                .policy(model)
                .objective(new DpoObjective().configure(Map.of("beta", 0.1)))
                .data(data)
                .optimizer(OptimizerSettings.adamW(5e-4))
                .batchSize(8)
                .steps(60)
                .evaluation(EvaluationSettings.defaults().withEvery(30).withSampling(8, 16))
                .listener(new ProgressListener())
                .listener(new TrainingListener() {
                    @Override
                    public void onEvaluation(TrainingContext c, EvaluationEvent e) {
                        System.out.printf("step %d: held-out accuracy %.3f%n", e.step(),
                                e.metrics().get("eval/rewards/accuracies"));
                    }
                })
                .saveModelTo(work.resolve("aligned"))
                .log(log)
                .build()
                .fit()) {
            double before = result.firstEvaluation().get("eval/rewards/accuracies");
            double after = result.lastEvaluation().get("eval/rewards/accuracies");
            System.out.printf("trained %d steps: accuracy %.3f -> %.3f; model in %s%n", result.steps(), before, after,
                    result.savedModel().orElseThrow());
            if (!(after > before)) {
                throw new IllegalStateException("held-out accuracy did not rise");
            }
        }
    }
}
