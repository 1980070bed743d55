package io.dpo4j.core.jinja;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on one rendering, so that a hostile or broken template fails with a clear message instead
 * of hanging or exhausting memory: wall time, characters of output (and of any string the template
 * builds), loop iterations and call depth.
 *
 * @param timeout the most time one rendering may take
 * @param maxOutputChars the most characters of output, and of any one string built while rendering
 * @param maxLoopIterations the most loop iterations of one rendering, all loops together
 * @param maxCallDepth the most nested macro calls (recursion)
 * @param clock the clock of {@code strftime_now} (the system's by default)
 */
public record RenderLimits(Duration timeout, int maxOutputChars, long maxLoopIterations, int maxCallDepth, Clock clock) {

    /** 10 s, 32 Mi characters, 1,000,000 loop iterations, 100 nested calls, the system clock. */
    public static final RenderLimits DEFAULT = new RenderLimits(Duration.ofSeconds(10), 32 << 20, 1_000_000, 100,
            Clock.systemDefaultZone());

    /** Checks that every bound is positive. */
    public RenderLimits {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(clock, "clock");
        if (timeout.isNegative() || timeout.isZero() || maxOutputChars < 1 || maxLoopIterations < 1 || maxCallDepth < 1) {
            throw new IllegalArgumentException("render limits must be positive: " + timeout + ", " + maxOutputChars + ", "
                    + maxLoopIterations + ", " + maxCallDepth);
        }
    }

    /** The same limits with another clock for {@code strftime_now}. */
    public RenderLimits withClock(Clock other) {
        return new RenderLimits(timeout, maxOutputChars, maxLoopIterations, maxCallDepth, other);
    }

    /** The same limits with another timeout. */
    public RenderLimits withTimeout(Duration other) {
        return new RenderLimits(other, maxOutputChars, maxLoopIterations, maxCallDepth, clock);
    }

    /** The same limits with another output bound. */
    public RenderLimits withMaxOutputChars(int other) {
        return new RenderLimits(timeout, other, maxLoopIterations, maxCallDepth, clock);
    }

    /** The same limits with another loop bound. */
    public RenderLimits withMaxLoopIterations(long other) {
        return new RenderLimits(timeout, maxOutputChars, other, maxCallDepth, clock);
    }
}
