package io.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Test helpers: the tiny-llama fixture copied into the test resources, and parameter randomisation. */
public final class ModelFixtures {

    private ModelFixtures() {
    }

    /** The folder of the tiny-llama fixture (config, safetensors, tokenizer, expected log-probs). */
    public static Path tinyLlama() {
        try {
            return Path.of(ModelFixtures.class.getResource("/fixtures/tiny-llama/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Overwrites every parameter in place with values large enough that any modelling mistake shows:
     * matrices normal(0, 0.3), norm scales 1 + normal(0, 0.2), biases normal(0, 0.3).
     */
    public static void randomize(LlamaModel model, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (Map.Entry<String, NDArray> p : model.parameters().entrySet()) {
            float[] values = new float[(int) p.getValue().size()];
            boolean norm = p.getKey().endsWith("norm.weight");
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (norm ? 1 + 0.2 * random.nextGaussian() : 0.3 * random.nextGaussian());
            }
            p.getValue().set(values);
        }
    }

    /** Every parameter as a float array, by name. */
    public static Map<String, float[]> values(LlamaModel model) {
        Map<String, float[]> values = new LinkedHashMap<>();
        model.parameters().forEach((name, array) -> values.put(name, array.toFloatArray()));
        return values;
    }
}
