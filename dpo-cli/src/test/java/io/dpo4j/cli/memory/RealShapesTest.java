package io.dpo4j.cli.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.cli.DpoMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The memory benchmark's shapes and plans")
class RealShapesTest {

    @Test
    @DisplayName("the shapes have the real checkpoints' parameter counts")
    void parameterCounts() {
        assertThat(RealShapes.SMOLLM2_135M.config().parameterCount()).isEqualTo(134_515_008L);
        assertThat(RealShapes.QWEN25_05B.config().parameterCount()).isEqualTo(494_032_768L);
        assertThat(RealShapes.QWEN25_15B.config().parameterCount()).isEqualTo(1_543_714_304L);
    }

    @Test
    @DisplayName("--plan-only prints every row's plan without running anything")
    void planOnly() {
        StringWriter out = new StringWriter();
        int exit = DpoMain.commandLine(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true))
                .execute("bench-memory", "--plan-only", "--shapes", "qwen2.5-0.5b", "--modes", "full,lora+ckpt");
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("qwen2.5-0.5b full:").contains("qwen2.5-0.5b lora+ckpt:")
                .contains("memory plan: peak about").contains("LoRA r 16 on 7 projections per layer");
    }
}
