package io.dpo4j.core.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a Hugging Face word-level tokenizer ({@code tokenizer.json}, {@code tokenizer_config.json})
 * for a fixed vocabulary: ids 0, 1, 2 are {@code <pad>}, {@code </s>} (end of sequence) and
 * {@code <unk>}; words follow in the given order. Whitespace pre-tokenisation, no normaliser, no
 * special tokens added when encoding — the layout other tools read.
 */
public final class WordLevelTokenizerFiles {

    /** The padding token, id 0. */
    public static final String PAD = "<pad>";
    /** The end-of-sequence token, id 1. */
    public static final String EOS = "</s>";
    /** The unknown-word token, id 2. */
    public static final String UNK = "<unk>";

    private WordLevelTokenizerFiles() {
    }

    /** Writes both files into {@code folder} (atomically, each). */
    public static void write(Path folder, List<String> words, int modelMaxLength) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {PAD, EOS, UNK};
        for (int i = 0; i < specials.length; i++) {
            ObjectNode t = added.addObject();
            t.put("id", i);
            t.put("content", specials[i]);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < specials.length; i++) {
            vocab.put(specials[i], i);
        }
        int id = specials.length;
        for (String w : words) {
            if (!vocab.has(w)) {
                vocab.put(w, id++);
            }
        }
        model.put("unk_token", UNK);
        AtomicFiles.writeString(folder.resolve("tokenizer.json"), json.writeValueAsString(root));

        ObjectNode config = json.createObjectNode();
        config.put("eos_token", EOS);
        config.put("pad_token", PAD);
        config.put("unk_token", UNK);
        config.put("model_max_length", modelMaxLength);
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        AtomicFiles.writeString(folder.resolve("tokenizer_config.json"), json.writeValueAsString(config));
    }

    /** Number of ids the files define: the three special tokens plus the distinct words. */
    public static int vocabularySize(List<String> words) {
        return 3 + (int) words.stream().distinct().count();
    }
}
