package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.data.TruncationSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Lengths: limits that fit the model, printed, with a warning past its positions")
class LengthsTest {

    private static TrainConfig.Data data(Integer prompt, Integer response, Integer total) {
        return new TrainConfig.Data(List.of(), List.of(), 0.1, io.dpo4j.core.data.DataFormat.AUTO, prompt,
                response, total, io.dpo4j.core.data.TruncationPolicy.TRUNCATE, io.dpo4j.core.data.BadRowPolicy.ERROR, false,
                16 << 20, 1_000_000);
    }

    @Test
    @DisplayName("unset limits: the tiny model keeps its small ones, a model of the user's gets TRL's capped by its positions")
    void defaults() {
        assertThat(Lengths.resolve(data(null, null, null), true, 512))
                .extracting(TruncationSettings::maxPromptLength, TruncationSettings::maxResponseLength,
                        TruncationSettings::maxLength).containsExactly(32, 32, 64);
        assertThat(Lengths.resolve(data(null, null, null), false, 131072))
                .extracting(TruncationSettings::maxPromptLength, TruncationSettings::maxResponseLength,
                        TruncationSettings::maxLength)
                .containsExactly(TruncationSettings.UNLIMITED, TruncationSettings.UNLIMITED, 1024);
        assertThat(Lengths.resolve(data(null, null, null), false, 128).maxLength()).isEqualTo(128);
        assertThat(Lengths.resolve(data(100, null, 4096), false, 128))
                .extracting(TruncationSettings::maxPromptLength, TruncationSettings::maxLength).containsExactly(100, 4096);
    }

    @Test
    @DisplayName("the resolved values are printed, and a max_length past max_position_embeddings is a warning")
    void report() {
        StringWriter out = new StringWriter();
        TrainConfig.Data d = data(null, null, 4096);
        Lengths.report(d, Lengths.resolve(d, false, 128), 128, new PrintWriter(out, true));
        assertThat(out.toString()).contains("lengths: max_prompt_length=none, max_response_length=none, max_length=4096, "
                + "truncation=truncate (unset limits defaulted for the model; max_position_embeddings=128)")
                .contains("warning: data.max_length=4096 lets sequences run past the model's max_position_embeddings=128");
    }
}
