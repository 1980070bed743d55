package io.dpo4j.core.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("the controlled-sentiment language")
class SyntheticDatasetTest {

    @Test
    @DisplayName("the reward is σ(S/2) of the lexicon score, with intensifiers and negation")
    void reward() {
        assertThat(SentimentReward.score("the movie was great")).isEqualTo(2.0);
        assertThat(SentimentReward.score("the movie was very great")).isEqualTo(3.0);
        assertThat(SentimentReward.score("the movie was not great")).isCloseTo(-1.6, within(1e-12));
        assertThat(SentimentReward.score("it is not very bad")).isCloseTo(1.2, within(1e-12));
        assertThat(SentimentReward.score("i hated the plot but the acting was good")).isEqualTo(-1.0);
        assertThat(SentimentReward.score("zebra quantum")).isZero();
        assertThat(SentimentReward.reward("the movie was ok")).isEqualTo(0.5);
        assertThat(SentimentReward.reward("the movie was very great")).isCloseTo(1 / (1 + Math.exp(-1.5)), within(1e-15));
    }

    @Test
    @DisplayName("a continuation keeps the prompt and draws the rest afresh")
    void continuation() {
        ReviewGrammar g = new ReviewGrammar();
        Random rng = new Random(3);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            ReviewGrammar.Review r = g.sample(rng);
            int k = 1 + rng.nextInt(r.words().size() - 1 > 0 ? r.words().size() - 1 : 1);
            if (k >= r.words().size()) {
                continue;
            }
            String rest = g.continuation(r, k, rng);
            String whole = r.prefix(k) + " " + rest;
            assertThat(whole).startsWith(r.prefix(k));
            assertThat(rest).isNotBlank();
            seen.add(rest);
        }
        assertThat(seen.size()).isGreaterThan(100);
    }

    @Test
    @DisplayName("the data set is deterministic by seed, chosen has the higher reward, validation prompts are held out")
    void dataset(@TempDir Path a, @TempDir Path b) throws Exception {
        SyntheticDataset.Settings s = new SyntheticDataset.Settings(7, 50, 80, 20, 10);
        new SyntheticDataset().write(a, s);
        new SyntheticDataset().write(b, s);
        for (String f : List.of("sft.jsonl", "train.jsonl", "validation.jsonl", "prompts.jsonl", "tokenizer.json")) {
            assertThat(Files.readString(a.resolve(f))).as(f).isEqualTo(Files.readString(b.resolve(f)));
        }
        ObjectMapper json = new ObjectMapper();
        Set<String> trainPrompts = new HashSet<>();
        for (String line : Files.readAllLines(a.resolve("train.jsonl"))) {
            JsonNode row = json.readTree(line);
            assertThat(row.get("chosen_reward").asDouble()).isGreaterThan(row.get("rejected_reward").asDouble());
            assertThat(SyntheticDataset.reward(row.get("prompt").asText(), row.get("chosen").asText()))
                    .isEqualTo(row.get("chosen_reward").asDouble());
            trainPrompts.add(row.get("prompt").asText());
        }
        assertThat(Files.readAllLines(a.resolve("train.jsonl"))).hasSize(80);
        for (String line : Files.readAllLines(a.resolve("validation.jsonl"))) {
            assertThat(trainPrompts).doesNotContain(json.readTree(line).get("prompt").asText());
        }
        for (String line : Files.readAllLines(a.resolve("prompts.jsonl"))) {
            assertThat(trainPrompts).doesNotContain(json.readTree(line).get("prompt").asText());
        }
    }

    @Test
    @DisplayName("the tokenizer is Hugging Face word-level: pad 0, eos 1, unk 2, then every word once")
    void tokenizer(@TempDir Path dir) throws Exception {
        WordLevelTokenizerFiles.write(dir, SentimentLexicon.vocabulary(), 128);
        JsonNode t = new ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile());
        JsonNode vocab = t.at("/model/vocab");
        assertThat(t.at("/model/type").asText()).isEqualTo("WordLevel");
        assertThat(vocab.get("<pad>").asInt()).isZero();
        assertThat(vocab.get("</s>").asInt()).isEqualTo(1);
        assertThat(vocab.get("<unk>").asInt()).isEqualTo(2);
        assertThat(vocab.size()).isEqualTo(WordLevelTokenizerFiles.vocabularySize(SentimentLexicon.vocabulary()));
        Set<Integer> ids = new HashSet<>();
        vocab.forEach(n -> ids.add(n.asInt()));
        assertThat(ids).hasSize(vocab.size()).allMatch(i -> i >= 0 && i < vocab.size());
        JsonNode config = new ObjectMapper().readTree(dir.resolve("tokenizer_config.json").toFile());
        assertThat(config.get("eos_token").asText()).isEqualTo("</s>");
    }
}
