package io.dpo4j.cli;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.name.Names;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.train.CheckpointListener;
import io.dpo4j.train.MetricsLogListener;
import io.dpo4j.train.ProgressListener;
import io.dpo4j.train.SampleFileListener;
import io.dpo4j.train.TrainingListener;
import java.nio.file.Path;

/**
 * Guice bindings of one {@code dpo train} run's parts, from its configuration: the log-prob kernel,
 * the checkpoint listener, and the run folder's listeners in order — the metrics log (named
 * {@code early}: it sees each step before its evaluation), then samples, progress and checkpoints.
 * It only binds; {@link TrainJob} asks the injector for them and hands them to the library API.
 */
final class TrainingBindings extends AbstractModule {

    /** The name of the listeners that run before the evaluation. */
    static final String EARLY = "early";

    private final TrainConfig config;

    TrainingBindings(TrainConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        Path out = config.output();
        bind(LogProbKernel.class).toInstance(config.kernel().implementation()
                .create((long) config.kernel().memoryBudgetMb() << 20));
        CheckpointListener checkpoints = new CheckpointListener(out.resolve("checkpoints"),
                config.training().checkpointEvery(), config.training().keepCheckpoints());
        bind(CheckpointListener.class).toInstance(checkpoints);
        Multibinder.newSetBinder(binder(), TrainingListener.class, Names.named(EARLY)).addBinding()
                .toInstance(new MetricsLogListener(out.resolve("metrics.jsonl")));
        Multibinder<TrainingListener> listeners = Multibinder.newSetBinder(binder(), TrainingListener.class);
        listeners.addBinding().toInstance(new SampleFileListener(out.resolve("samples")));
        listeners.addBinding().toInstance(new ProgressListener());
        listeners.addBinding().toInstance(checkpoints);
    }
}
