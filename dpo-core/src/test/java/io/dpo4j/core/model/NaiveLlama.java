package io.dpo4j.core.model;

import java.util.Map;

/**
 * An independent reference of the Hugging Face Llama/Qwen2 forward pass for one unpadded sequence,
 * written as plain double loops from the architecture's definition (no DJL): RMSNorm, rotate-half
 * rotary embeddings (with linear and llama3 frequency scaling), grouped-query causal attention where
 * query head h reads key/value head h / (heads / kv_heads), SwiGLU MLP, optional biases, tied or
 * separate lm_head.
 */
final class NaiveLlama {

    private final LlamaConfig c;
    private final Map<String, float[]> w;

    NaiveLlama(LlamaConfig config, Map<String, float[]> weights) {
        this.c = config;
        this.w = weights;
    }

    /** Logits {@code T×V} for token ids at positions 0..T-1. */
    double[][] logits(long[] ids) {
        int tokens = ids.length;
        int d = c.hiddenSize();
        float[] embedding = w.get("model.embed_tokens.weight");
        double[][] x = new double[tokens][d];
        for (int t = 0; t < tokens; t++) {
            for (int k = 0; k < d; k++) {
                x[t][k] = embedding[(int) ids[t] * d + k];
            }
        }
        for (int layer = 0; layer < c.numLayers(); layer++) {
            String p = "model.layers." + layer + ".";
            double[][] h = rms(x, w.get(p + "input_layernorm.weight"));
            add(x, attention(h, p + "self_attn."));
            h = rms(x, w.get(p + "post_attention_layernorm.weight"));
            double[][] gate = linear(h, p + "mlp.gate_proj");
            double[][] up = linear(h, p + "mlp.up_proj");
            for (int t = 0; t < tokens; t++) {
                for (int i = 0; i < gate[t].length; i++) {
                    double g = gate[t][i];
                    gate[t][i] = g / (1 + Math.exp(-g)) * up[t][i];
                }
            }
            add(x, linear(gate, p + "mlp.down_proj"));
        }
        double[][] normed = rms(x, w.get("model.norm.weight"));
        float[] head = c.tieWordEmbeddings() ? embedding : w.get("lm_head.weight");
        double[][] logits = new double[tokens][c.vocabSize()];
        for (int t = 0; t < tokens; t++) {
            for (int v = 0; v < c.vocabSize(); v++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    s += normed[t][k] * head[v * d + k];
                }
                logits[t][v] = s;
            }
        }
        return logits;
    }

    private double[][] attention(double[][] h, String prefix) {
        int tokens = h.length;
        int heads = c.numHeads();
        int dim = c.headDim();
        int group = heads / c.numKeyValueHeads();
        double[][] q = linear(h, prefix + "q_proj");
        double[][] k = linear(h, prefix + "k_proj");
        double[][] v = linear(h, prefix + "v_proj");
        rotate(q, heads);
        rotate(k, c.numKeyValueHeads());
        double[][] context = new double[tokens][heads * dim];
        for (int head = 0; head < heads; head++) {
            int kvHead = head / group;
            for (int t = 0; t < tokens; t++) {
                double[] scores = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= t; s++) {
                    double dot = 0;
                    for (int i = 0; i < dim; i++) {
                        dot += q[t][head * dim + i] * k[s][kvHead * dim + i];
                    }
                    scores[s] = dot / Math.sqrt(dim);
                    max = Math.max(max, scores[s]);
                }
                double total = 0;
                for (int s = 0; s <= t; s++) {
                    scores[s] = Math.exp(scores[s] - max);
                    total += scores[s];
                }
                for (int s = 0; s <= t; s++) {
                    for (int i = 0; i < dim; i++) {
                        context[t][head * dim + i] += scores[s] / total * v[s][kvHead * dim + i];
                    }
                }
            }
        }
        return linear(context, prefix + "o_proj");
    }

    /** Rotate-half: (x1, x2) → (x1 cos − x2 sin, x2 cos + x1 sin), angle = position · invFreq(i). */
    private void rotate(double[][] x, int heads) {
        int dim = c.headDim();
        int half = dim / 2;
        for (int t = 0; t < x.length; t++) {
            for (int head = 0; head < heads; head++) {
                for (int i = 0; i < half; i++) {
                    double angle = t * inverseFrequency(i);
                    double x1 = x[t][head * dim + i];
                    double x2 = x[t][head * dim + half + i];
                    x[t][head * dim + i] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
                    x[t][head * dim + half + i] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
                }
            }
        }
    }

    private double inverseFrequency(int i) {
        double inv = 1 / Math.pow(c.ropeTheta(), 2.0 * i / c.headDim());
        RopeScaling s = c.ropeScaling();
        switch (s.type()) {
            case LINEAR:
                return inv / s.factor();
            case LLAMA3: {
                double wavelength = 2 * Math.PI / inv;
                double low = s.originalMaxPositions() / s.lowFreqFactor();
                double high = s.originalMaxPositions() / s.highFreqFactor();
                if (wavelength < high) {
                    return inv;
                }
                if (wavelength > low) {
                    return inv / s.factor();
                }
                double smooth = (s.originalMaxPositions() / wavelength - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                return (1 - smooth) * inv / s.factor() + smooth * inv;
            }
            default:
                return inv;
        }
    }

    private double[][] rms(double[][] x, float[] weight) {
        double[][] out = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (double v : x[t]) {
                mean += v * v;
            }
            mean /= x[t].length;
            double scale = 1 / Math.sqrt(mean + c.rmsNormEps());
            for (int k = 0; k < x[t].length; k++) {
                out[t][k] = x[t][k] * scale * weight[k];
            }
        }
        return out;
    }

    private double[][] linear(double[][] x, String prefix) {
        float[] weight = w.get(prefix + ".weight");
        float[] bias = w.get(prefix + ".bias");
        int in = x[0].length;
        int out = weight.length / in;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = bias == null ? 0 : bias[o];
                for (int k = 0; k < in; k++) {
                    s += x[t][k] * weight[o * in + k];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private static void add(double[][] x, double[][] y) {
        for (int t = 0; t < x.length; t++) {
            for (int k = 0; k < x[t].length; k++) {
                x[t][k] += y[t][k];
            }
        }
    }
}
