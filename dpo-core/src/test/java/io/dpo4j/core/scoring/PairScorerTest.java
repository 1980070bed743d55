package io.dpo4j.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.ModelFixtures;
import io.dpo4j.core.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Scoring preference pairs")
class PairScorerTest {

    private static final Path DATA = ModelFixtures.tinyLlama().resolve("expected_logps.jsonl");

    @Test
    @DisplayName("sequences follow the token convention: prompt, then response with EOS appended")
    void tokenConvention() {
        try (TextTokenizer tokenizer = TextTokenizer.load(ModelFixtures.tinyLlama());
                LlamaModel model = HuggingFaceCheckpoint.load(ModelFixtures.tinyLlama())) {
            PairScorer scorer = PairScorer.forModel(tokenizer, model.config(), 8);
            List<ResponseSequence> s = scorer.sequences(DATA, List.of(new PreferenceRow(1, "long ever",
                    "really film ok", "was")));
            assertThat(s).hasSize(2);
            assertThat(s.get(0).promptIds()).containsExactly(48, 43);
            assertThat(s.get(0).responseIds()).containsExactly(12, 6, 46, 1);
            assertThat(s.get(1).responseIds()).containsExactly(7, 1);
        }
    }

    @Test
    @DisplayName("batch size and padding do not change the log-probabilities")
    void batchingIsInvisible() {
        try (TextTokenizer tokenizer = TextTokenizer.load(ModelFixtures.tinyLlama());
                LlamaModel model = HuggingFaceCheckpoint.load(ModelFixtures.tinyLlama())) {
            List<ResponseSequence> sequences = PairScorer.forModel(tokenizer, model.config(), 1)
                    .sequences(DATA, PreferenceRowReader.read(DATA));
            List<SequenceScore> one = PairScorer.forModel(tokenizer, model.config(), 1).score(model, sequences);
            List<SequenceScore> many = PairScorer.forModel(tokenizer, model.config(), 5).score(model, sequences);
            for (int i = 0; i < sequences.size(); i++) {
                float[] a = one.get(i).tokenLogProbs();
                float[] b = many.get(i).tokenLogProbs();
                assertThat(b).hasSameSizeAs(a);
                for (int t = 0; t < a.length; t++) {
                    assertThat(b[t]).isCloseTo(a[t], within(1e-5f));
                }
            }
        }
    }

    @Test
    @DisplayName("the chunked kernel and the naive full-logits kernel give the same per-token log-probabilities")
    void kernelsAgree() {
        try (TextTokenizer tokenizer = TextTokenizer.load(ModelFixtures.tinyLlama());
                LlamaModel model = HuggingFaceCheckpoint.load(ModelFixtures.tinyLlama());
                NDManager manager = model.manager().newSubManager()) {
            List<ResponseSequence> sequences = PairScorer.forModel(tokenizer, model.config(), 8)
                    .sequences(DATA, PreferenceRowReader.read(DATA));
            PairScorer scorer = PairScorer.forModel(tokenizer, model.config(), 8);
            List<SequenceScore> naive = scorer.score(model, sequences, io.dpo4j.core.kernel.KernelType.NAIVE.create());
            List<SequenceScore> chunked = scorer.score(model, sequences,
                    io.dpo4j.core.kernel.KernelType.CHUNKED.create(4096));
            for (int i = 0; i < naive.size(); i++) {
                float[] whole = naive.get(i).tokenLogProbs();
                float[] blocks = chunked.get(i).tokenLogProbs();
                assertThat(blocks).hasSameSizeAs(whole);
                for (int t = 0; t < whole.length; t++) {
                    assertThat(blocks[t]).isCloseTo(whole[t], within(1e-5f));
                }
            }
        }
    }

    @Test
    @DisplayName("a prompt without tokens is refused with file, line and field")
    void emptyPrompt() {
        try (TextTokenizer tokenizer = TextTokenizer.load(ModelFixtures.tinyLlama());
                LlamaModel model = HuggingFaceCheckpoint.load(ModelFixtures.tinyLlama())) {
            PairScorer scorer = PairScorer.forModel(tokenizer, model.config(), 8);
            assertThatThrownBy(() -> scorer.sequences(DATA, List.of(new PreferenceRow(4, "  ", "a", "b"))))
                    .isInstanceOf(DpoException.class).hasMessageContaining(DATA + ":4: field prompt has no tokens");
        }
    }
}
