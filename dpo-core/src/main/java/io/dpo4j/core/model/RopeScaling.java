package io.dpo4j.core.model;

/**
 * How rotary frequencies are adjusted for long contexts, as Hugging Face's {@code rope_scaling}
 * describes it. Supported: none ({@code null} or {@code "default"}), {@code "linear"} (every frequency
 * divided by {@code factor}) and {@code "llama3"} (low frequencies divided by {@code factor}, high ones
 * kept, a smooth blend between). Types that change with the sequence length or scale attention
 * ({@code dynamic}, {@code yarn}, {@code longrope}, …) are refused when the configuration is read.
 *
 * @param type the scaling type
 * @param factor the scaling factor (1 for {@link Type#NONE})
 * @param lowFreqFactor llama3's {@code low_freq_factor}
 * @param highFreqFactor llama3's {@code high_freq_factor}
 * @param originalMaxPositions llama3's {@code original_max_position_embeddings}
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor,
        int originalMaxPositions) {

    /** No scaling: the plain rotary embedding. */
    public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1, 0, 0, 0);

    /** The supported scaling types. */
    public enum Type {
        /** Plain rotary frequencies ({@code rope_scaling} null or {@code rope_type} "default"). */
        NONE,
        /** Positions divided by the factor. */
        LINEAR,
        /** Llama 3.1's frequency-dependent scaling. */
        LLAMA3
    }

    /** Linear scaling by {@code factor}. */
    public static RopeScaling linear(double factor) {
        return new RopeScaling(Type.LINEAR, factor, 0, 0, 0);
    }

    /** Llama 3 scaling. */
    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor,
            int originalMaxPositions) {
        return new RopeScaling(Type.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalMaxPositions);
    }

    /**
     * The {@code headDim / 2} inverse frequencies {@code 1 / theta^(2i / headDim)}, computed in float32
     * like Hugging Face does, then scaled.
     */
    public float[] inverseFrequencies(int headDim, double theta) {
        float[] inv = new float[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            inv[i] = 1.0f / (float) Math.pow(theta, exponent);
        }
        switch (type) {
            case NONE -> {
                return inv;
            }
            case LINEAR -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] = (float) (inv[i] / factor);
                }
                return inv;
            }
            case LLAMA3 -> {
                double lowFreqWavelength = originalMaxPositions / lowFreqFactor;
                double highFreqWavelength = originalMaxPositions / highFreqFactor;
                for (int i = 0; i < inv.length; i++) {
                    double wavelength = 2 * Math.PI / inv[i];
                    if (wavelength > lowFreqWavelength) {
                        inv[i] = (float) (inv[i] / factor);
                    } else if (wavelength >= highFreqWavelength) {
                        double smooth = (originalMaxPositions / wavelength - lowFreqFactor)
                                / (highFreqFactor - lowFreqFactor);
                        inv[i] = (float) ((1 - smooth) * inv[i] / factor + smooth * inv[i]);
                    }
                }
                return inv;
            }
            default -> throw new IllegalStateException(type.name());
        }
    }
}
