package io.dpo4j.cli;

import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.train.LoraTraining;
import java.nio.file.Path;

/**
 * The {@code lora:} section as the library's {@link LoraTraining}: the run folder holds the adapter
 * ({@code adapter/}, PEFT layout) and, with {@code merge: true}, the merged model ({@code model/}).
 */
final class LoraRun {

    /** The adapter's folder inside a checkpoint and inside the run folder. */
    static final String ADAPTER = io.dpo4j.core.train.TrainingCheckpoint.ADAPTER;

    private LoraRun() {
    }

    static boolean enabled(TrainConfig config) {
        return config.lora().enabled();
    }

    /** True when the reference log-probs are scored live by the policy with its adapters off. */
    static boolean liveReference(TrainConfig config) {
        return enabled(config) && config.lora().reference() == TrainConfig.LoraReference.ADAPTERS_OFF;
    }

    /** The library's settings of an enabled {@code lora:} section, writing into the run folder {@code out}. */
    static LoraTraining settings(TrainConfig config, Path out) {
        TrainConfig.Lora l = config.lora();
        return new LoraTraining(config.loraSettings(), l.adapter() == null ? null : Path.of(l.adapter()),
                l.frozenDtype() == TrainConfig.FrozenDtype.FLOAT16, liveReference(config), out.resolve(ADAPTER),
                l.merge());
    }

    /** What the summary names as the run's model: the merged model, or the adapter. */
    static Path output(TrainConfig config, Path out) {
        return config.lora().merge() ? out.resolve("model") : out.resolve(ADAPTER);
    }
}
