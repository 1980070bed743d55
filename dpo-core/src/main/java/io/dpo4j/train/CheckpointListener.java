package io.dpo4j.train;

import io.dpo4j.core.train.CheckpointStore;
import io.dpo4j.core.train.TrainingCheckpoint;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a checkpoint (model, optimizer moments, trainer state; atomic and checksummed) every
 * {@code every} steps and after the last, keeping the newest {@code keep}. A run given the same folder
 * with {@link PreferenceTraining.Builder#resumeFrom} continues from the newest valid one exactly as an
 * uninterrupted run would.
 */
public final class CheckpointListener implements TrainingListener {

    private final CheckpointStore store;
    private final int every;
    private Path last;
    private long lastStep;

    /**
     * @param folder the checkpoints folder ({@code step-NNNNNNNN} inside)
     * @param every steps between checkpoints (&ge; 1)
     * @param keep checkpoints kept (&ge; 1)
     */
    public CheckpointListener(Path folder, int every, int keep) {
        OptimizerSettings.require(every >= 1, "checkpoint_every", every, ">= 1");
        OptimizerSettings.require(keep >= 1, "keep_checkpoints", keep, ">= 1");
        this.store = new CheckpointStore(folder, keep);
        this.every = every;
    }

    /** The checkpoints folder. */
    public Path folder() {
        return store.root();
    }

    /** The step of the newest checkpoint written or resumed from (0: none). */
    public long lastStep() {
        return lastStep;
    }

    @Override
    public void onStart(TrainingContext context) {
        if (context.resumed()) {
            lastStep = context.step();
            last = store.root().resolve(CheckpointStore.name(lastStep));
        }
        context.setResumeHint(() -> last == null ? "No checkpoint was written before this step (nothing to resume "
                + "from in " + store.root() + ")" : "The last good checkpoint is kept: " + last
                        + " (dpo train --resume continues from it)");
    }

    @Override
    public void onStep(TrainingContext context, StepEvent e) throws IOException {
        if (e.step() % every == 0 || e.step() == context.totalSteps()) {
            last = TrainingCheckpoint.write(store, context.policy(), context.optimizer(), context.state(),
                    context.initialPolicy());
            lastStep = e.step();
        }
    }
}
