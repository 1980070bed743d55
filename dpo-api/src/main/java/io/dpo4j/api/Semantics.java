package io.dpo4j.api;

import java.util.Locale;
import java.util.Objects;

/**
 * What an objective's loss does when one policy log-prob rises, all else fixed: the property the
 * contract kit's semantics check tests. Most objectives are {@link #MONOTONE}: raising a chosen
 * (desirable) log-prob lowers the loss and raising a rejected one raises it. Some are not, by
 * design ({@code apo_down} deliberately pushes the chosen log-prob down; {@code discopop} has a bump
 * near a zero margin): they declare the direction that does hold, with the reason, and the kit
 * checks that direction and reports the declaration instead of silently skipping.
 *
 * @param whenChosenRises the effect on the loss of raising a chosen (desirable) log-prob
 * @param whenRejectedRises the effect on the loss of raising a rejected log-prob (paired objectives)
 * @param reason why the objective departs from {@link #MONOTONE}; empty for it
 */
public record Semantics(Direction whenChosenRises, Direction whenRejectedRises, String reason) {

    /** The effect of a rise on the loss. */
    public enum Direction {
        /** The loss falls (strictly). */
        LOWERS,
        /** The loss rises (strictly). */
        RAISES,
        /** Either, depending on the batch: not checked, but reported. */
        EITHER;

        /** Lower-case name for messages. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Raising a chosen log-prob lowers the loss; raising a rejected one raises it. */
    public static final Semantics MONOTONE = new Semantics(Direction.LOWERS, Direction.RAISES, "");

    public Semantics {
        Objects.requireNonNull(whenChosenRises, "whenChosenRises");
        Objects.requireNonNull(whenRejectedRises, "whenRejectedRises");
        Objects.requireNonNull(reason, "reason");
        boolean monotone = whenChosenRises == Direction.LOWERS && whenRejectedRises == Direction.RAISES;
        if (!monotone && reason.isBlank()) {
            throw new IllegalArgumentException("an objective that is not monotone must say why");
        }
    }

    /** A declared departure from {@link #MONOTONE}, with its reason (one line). */
    public static Semantics declared(Direction whenChosenRises, Direction whenRejectedRises, String reason) {
        return new Semantics(whenChosenRises, whenRejectedRises, reason);
    }

    /** True for {@link #MONOTONE}'s directions. */
    public boolean isMonotone() {
        return whenChosenRises == Direction.LOWERS && whenRejectedRises == Direction.RAISES;
    }

    /** One line, e.g. {@code raising a chosen log-prob: either; raising a rejected one: raises (reason)}. */
    public String describe() {
        if (isMonotone()) {
            return "monotone: raising a chosen log-prob lowers the loss, raising a rejected one raises it";
        }
        return "raising a chosen log-prob " + verb(whenChosenRises) + " the loss, raising a rejected one "
                + verb(whenRejectedRises) + " it (" + reason + ")";
    }

    private static String verb(Direction d) {
        return switch (d) {
            case LOWERS -> "lowers";
            case RAISES -> "raises";
            case EITHER -> "may raise or lower";
        };
    }
}
