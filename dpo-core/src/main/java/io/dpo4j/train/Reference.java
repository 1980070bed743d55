package io.dpo4j.train;

import io.dpo4j.core.train.ReferenceCache;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the reference statistics {@code log π_ref(y|x)} come from: the initial policy (the default),
 * another model, statistics computed before (a {@link ReferenceCache}), or none for reference-free
 * objectives. A model is run once, before training, over every sequence training and evaluation need;
 * with {@link PreferenceTraining.Builder#cacheDirectory} its statistics are kept in a file keyed by
 * model, data and lengths, and reused by later runs without loading the model.
 */
public sealed interface Reference {

    /** The initial policy is the reference (DPO's usual choice). */
    static Reference initialPolicy() {
        return InitialPolicy.INSTANCE;
    }

    /** A reference model (a Hugging Face folder) other than the policy. */
    static Reference model(Path folder) {
        return new Model(folder);
    }

    /**
     * Statistics computed before: every sequence training and evaluation score must be in the cache
     * (the run stops at once naming how many are missing); no model is loaded.
     */
    static Reference statistics(ReferenceCache cache) {
        return new Statistics(cache);
    }

    /** No reference: only for objectives that read none (ORPO, SimPO, reference-free DPO). */
    static Reference none() {
        return None.INSTANCE;
    }

    /** The initial policy. */
    enum InitialPolicy implements Reference {
        /** The one instance. */
        INSTANCE
    }

    /** No reference. */
    enum None implements Reference {
        /** The one instance. */
        INSTANCE
    }

    /**
     * A reference model.
     *
     * @param folder its Hugging Face folder
     */
    record Model(Path folder) implements Reference {
        public Model {
            Objects.requireNonNull(folder, "folder");
        }
    }

    /**
     * Precomputed statistics.
     *
     * @param cache the statistics
     */
    record Statistics(ReferenceCache cache) implements Reference {
        public Statistics {
            Objects.requireNonNull(cache, "cache");
        }
    }
}
