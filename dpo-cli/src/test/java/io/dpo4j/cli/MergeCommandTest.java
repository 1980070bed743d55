package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.core.lora.LoraAdapter;
import io.dpo4j.core.lora.LoraSettings;
import io.dpo4j.core.lora.PeftAdapterFiles;
import io.dpo4j.core.lora.TargetModules;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.ModelFixtures;
import io.dpo4j.core.model.safetensors.SafetensorsFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("dpo merge")
class MergeCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DpoCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    @DisplayName("writes full weights in the base checkpoint's dtype with the tokenizer; W changes only where adapted")
    void mergesInBaseDtype() throws Exception {
        Path base = ModelFixtures.tinyLlama();
        String dtype;
        try (SafetensorsFile f = SafetensorsFile.open(base.resolve(HuggingFaceCheckpoint.WEIGHTS))) {
            dtype = f.tensors().values().iterator().next().dtypeName();
        }
        try (LlamaModel model = HuggingFaceCheckpoint.load(base)) {
            LoraAdapter adapter = LoraAdapter.create(model, new LoraSettings(2, 4, 0, TargetModules.of(List.of("o_proj")),
                    false), 1);
            adapter.b("model.layers.0.self_attn.o_proj").set(new float[(int) adapter.b("model.layers.0.self_attn.o_proj")
                    .size()]);
            adapter.b("model.layers.0.self_attn.o_proj").addi(0.5f);
            PeftAdapterFiles.save(adapter, dir.resolve("adapter"), base.toString());
        }
        Run r = run("merge", "--model", base.toString(), "--adapter", dir.resolve("adapter").toString(), "--out",
                dir.resolve("merged").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("merged 2 adapted layers");
        assertThat(dir.resolve("merged").resolve("tokenizer.json")).exists();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("merged").resolve(HuggingFaceCheckpoint.WEIGHTS))) {
            assertThat(f.tensors().values()).allMatch(e -> e.dtypeName().equals(dtype));
        }
        try (LlamaModel a = HuggingFaceCheckpoint.load(base); LlamaModel b = HuggingFaceCheckpoint.load(dir.resolve("merged"))) {
            assertThat(b.parameter("model.layers.0.self_attn.o_proj.weight").toFloatArray())
                    .isNotEqualTo(a.parameter("model.layers.0.self_attn.o_proj.weight").toFloatArray());
            assertThat(b.parameter("model.layers.0.self_attn.q_proj.weight").toFloatArray())
                    .containsExactly(a.parameter("model.layers.0.self_attn.q_proj.weight").toFloatArray());
        }
        // a second run refuses to replace the output without --overwrite, in one line
        Run again = run("merge", "--model", base.toString(), "--adapter", dir.resolve("adapter").toString(), "--out",
                dir.resolve("merged").toString());
        assertThat(again.exit()).isEqualTo(DpoCli.USER_ERROR);
        assertThat(again.err().strip()).startsWith("error: --out").contains("--overwrite").doesNotContain("\n");
        Run notAdapter = run("merge", "--model", base.toString(), "--adapter", base.toString(), "--out",
                dir.resolve("m2").toString());
        assertThat(notAdapter.err()).contains("not a PEFT adapter folder");
        assertThat(Files.exists(dir.resolve("m2"))).isFalse();
    }
}
