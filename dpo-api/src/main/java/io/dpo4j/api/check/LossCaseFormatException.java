package io.dpo4j.api.check;

/** A loss-case file that cannot be used: the message names the file, the field and the reason. */
public class LossCaseFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LossCaseFormatException(String message) {
        super(message);
    }

    public LossCaseFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
