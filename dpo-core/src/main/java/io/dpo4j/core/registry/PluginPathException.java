package io.dpo4j.core.registry;

/** A plugin path that does not exist or cannot be listed. */
public class PluginPathException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public PluginPathException(String message) {
        super(message);
    }
}
