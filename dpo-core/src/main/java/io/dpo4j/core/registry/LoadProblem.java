package io.dpo4j.core.registry;

import java.util.Optional;

/**
 * An objective that could not be used: a provider that failed to load or construct, an invalid or
 * duplicate id, an incompatible SPI. Other objectives stay usable.
 *
 * @param source the jar or class path the provider came from
 * @param className the provider class, when known
 * @param id the objective id concerned, when known
 * @param message what went wrong, in one or two sentences
 */
public record LoadProblem(String source, String className, Optional<String> id, String message) {

    @Override
    public String toString() {
        return (className == null ? source : className + " in " + source) + ": " + message;
    }
}
