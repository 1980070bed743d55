package io.dpo4j.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("dpo report: one training run's report.html")
class RunReportTest {

    private static void run(Path dir, int steps) throws Exception {
        StringBuilder m = new StringBuilder();
        for (int s = 0; s <= steps; s++) {
            if (s > 0) {
                m.append(String.format(Locale.ROOT, "{\"split\":\"train\",\"step\":%d,\"loss\":%.4f,"
                        + "\"rewards/accuracies\":%.3f,\"rewards/margins\":%.3f,\"logratios/chosen\":%.3f,"
                        + "\"logratios/rejected\":%.3f,\"grad_norm\":0.5,\"lr\":0.001}%n", s, 0.69 - 0.01 * s,
                        0.5 + 0.02 * s, 0.01 * s, -0.1 * s, -0.3 * s));
            }
            if (s % 5 == 0) {
                m.append(String.format(Locale.ROOT, "{\"split\":\"eval\",\"step\":%d,\"eval/loss\":%.4f,"
                        + "\"eval/rewards/accuracies\":%.3f,\"eval/rewards/margins\":%.3f,"
                        + "\"eval/logratios/chosen\":%.3f,\"eval/logratios/rejected\":%.3f,"
                        + "\"eval/sample_length\":%.2f,\"eval/sample_reward\":%.3f}%n", s, 0.69 - 0.008 * s,
                        0.5 + 0.01 * s, 0.008 * s, -0.08 * s, -0.25 * s, 6 + 0.2 * s, 0.45 + 0.01 * s));
            }
        }
        Files.writeString(dir.resolve("metrics.jsonl"), m);
        Files.writeString(dir.resolve("summary.json"), "{\"steps\": " + steps + ", \"seconds\": 3.5, \"warnings\": "
                + "[\"diagnostics (step 10): chosen and rejected log-ratios are both falling <fast>\"]}");
        Files.writeString(dir.resolve("config.resolved.yaml"), "objectives:\n- id: dpo\n  params: {beta: 0.1}\n");
        Files.createDirectories(dir.resolve("samples"));
        Files.writeString(dir.resolve("samples").resolve("step-00000020.jsonl"),
                "{\"prompt\":\"i saw the\",\"completion\":\"music was great\",\"completion_ids\":[1],"
                        + "\"policy_logp\":-2.5}\n");
    }

    @Test
    @DisplayName("draws loss, accuracy, margin, both log-ratios, length, reward and grad-norm curves, with diagnostics")
    void report(@TempDir Path dir) throws Exception {
        run(dir, 20);
        Path out = RunReport.write(dir);
        assertThat(out).isEqualTo(dir.resolve("report.html"));
        String html = Files.readString(out);
        int images = html.split("data:image/png;base64,", -1).length - 1;
        assertThat(images).isEqualTo(8);
        assertThat(html).contains("Loss").contains("Preference accuracy").contains("Reward margin")
                .contains("Chosen log-ratio").contains("Rejected log-ratio").contains("Mean length of sampled responses")
                .contains("Mean true reward of sampled responses").contains("Diagnostics")
                .contains("both falling &lt;fast&gt;").contains("Held-out metrics: step 0 and step 20")
                .contains("<td>sample_reward</td><td>0.4500</td><td>0.6500</td>").contains("music was great")
                .contains("config.resolved.yaml").contains("20 steps in 3.5 s");
    }

    @Test
    @DisplayName("a run without evaluations or summary still renders, saying what is missing")
    void partial(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"split\":\"train\",\"step\":1,\"loss\":0.7}\n");
        String html = Files.readString(RunReport.write(dir));
        assertThat(html).contains("No summary.json").contains("1 training steps and 0 held-out evaluations");
        assertThat(html.split("data:image/png;base64,", -1).length - 1).isEqualTo(1);
    }

    @Test
    @DisplayName("a folder without metrics.jsonl, or a bad line, is one clear error naming the file and line")
    void errors(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> RunReport.write(dir)).isInstanceOf(DpoException.class)
                .hasMessageContaining("no metrics.jsonl — not a dpo run folder");
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"split\":\"train\",\"step\":1}\nnot json\n");
        assertThatThrownBy(() -> RunReport.write(dir)).isInstanceOf(DpoException.class)
                .hasMessageContaining("metrics.jsonl line 2: not a JSON object");
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"split\":\"test\",\"step\":1}\n");
        assertThatThrownBy(() -> RunReport.write(dir)).hasMessageContaining("line 1: field split");
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"split\":\"train\",\"step\":\"x\"}\n");
        assertThatThrownBy(() -> RunReport.write(dir)).hasMessageContaining("line 1: field step");
    }
}
