package io.dpo4j.cli.memory;

import java.util.Locale;

/** The four ways of training the benchmark compares. */
enum TrainingMode {
    FULL("full", false, false),
    FULL_CHECKPOINTING("full+ckpt", false, true),
    LORA("lora", true, false),
    LORA_CHECKPOINTING("lora+ckpt", true, true);

    private final String id;
    private final boolean lora;
    private final boolean checkpointing;

    TrainingMode(String id, boolean lora, boolean checkpointing) {
        this.id = id;
        this.lora = lora;
        this.checkpointing = checkpointing;
    }

    String id() {
        return id;
    }

    boolean lora() {
        return lora;
    }

    boolean checkpointing() {
        return checkpointing;
    }

    static TrainingMode fromId(String id) {
        for (TrainingMode m : values()) {
            if (m.id.equals(id.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode " + id + " (expected full, full+ckpt, lora or lora+ckpt)");
    }
}
