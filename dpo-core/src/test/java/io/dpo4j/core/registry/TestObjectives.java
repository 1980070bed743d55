package io.dpo4j.core.registry;

import io.dpo4j.api.AbstractObjective;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.Hyperparameters;
import io.dpo4j.core.objective.DpoObjective;

/** Deliberately well- and ill-behaved providers for the discovery tests. */
final class TestObjectives {

    private TestObjectives() {
    }

    /** Delegates the arithmetic to dpo under another id. */
    abstract static class Renamed extends AbstractObjective {
        Renamed(String id) {
            super(id, "test objective " + id);
        }

        @Override
        protected ConfiguredObjective create(Hyperparameters parameters) {
            return new DpoObjective().configureDefaults();
        }
    }

    public static final class Good extends Renamed {
        public Good() {
            super("good-plugin");
        }
    }

    public static final class TwinA extends Renamed {
        public TwinA() {
            super("twin");
        }
    }

    public static final class TwinB extends Renamed {
        public TwinB() {
            super("twin");
        }
    }

    public static final class Throwing extends Renamed {
        public Throwing() {
            super(fail());
        }

        private static String fail() {
            throw new IllegalStateException("boom in constructor");
        }
    }

    /** Passes AbstractObjective's check but then reports an id that is not valid. */
    public static final class BadId extends DpoLike {
        @Override
        public String id() {
            return "Bad Id";
        }
    }

    /** Behaves as a plugin compiled against an SPI with other methods would. */
    public static final class Incompatible extends DpoLike {
        @Override
        public String id() {
            return "incompatible";
        }

        @Override
        public java.util.List<io.dpo4j.api.Hyperparameter> hyperparameters() {
            throw new AbstractMethodError("io.dpo4j.api.PreferenceObjective.hyperparameters()");
        }
    }

    /** A hand-written implementation of the interface (no base class). */
    abstract static class DpoLike implements io.dpo4j.api.PreferenceObjective {
        private final DpoObjective delegate = new DpoObjective();

        @Override
        public String description() {
            return "hand-written";
        }

        @Override
        public io.dpo4j.api.ObjectiveRequirements requirements() {
            return delegate.requirements();
        }

        @Override
        public java.util.List<io.dpo4j.api.Hyperparameter> hyperparameters() {
            return delegate.hyperparameters();
        }

        @Override
        public ConfiguredObjective configure(java.util.Map<String, ?> parameters) {
            return delegate.configure(parameters);
        }
    }
}
