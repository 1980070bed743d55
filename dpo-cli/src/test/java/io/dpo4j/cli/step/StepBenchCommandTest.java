package io.dpo4j.cli.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.cli.DpoMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The step benchmark's argument handling and report rendering (nothing is timed here). */
@DisplayName("dpo bench-step: arguments, allocator variants, /proc parsing and the report")
class StepBenchCommandTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DpoMain.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    @DisplayName("bad options stop with one line naming the option and the value, before anything runs")
    void badArguments() {
        String[] r = run("bench-step", "--shapes", "gpt5");
        assertThat(r[0]).isNotEqualTo("0");
        assertThat(r[2]).contains("--shapes").contains("gpt5").doesNotContain("Exception").hasLineCount(1);
        r = run("bench-step", "--steps-of", "dpo,ppo");
        assertThat(r[2]).contains("--steps-of").contains("ppo").hasLineCount(1);
        r = run("bench-step", "--pairs", "0");
        assertThat(r[2]).contains("--pairs = 0").hasLineCount(1);
        r = run("bench-step", "--peer", "maybe");
        assertThat(r[2]).contains("--peer").contains("maybe").hasLineCount(1);
        r = run("bench-step", "--rounds", "0");
        assertThat(r[2]).contains("--rounds = 0").hasLineCount(1);
        r = run("bench-step", "--allocator", "LD_PRELOAD=/tmp/x.so");
        assertThat(r[2]).contains("--allocator").contains("LD_PRELOAD").hasLineCount(1);
    }

    @Test
    @DisplayName("the help names every option")
    void help() {
        String[] r = run("bench-step", "--help");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).contains("--shapes", "--steps-of", "--pairs", "--prompt-tokens", "--response-tokens", "--steps",
                "--warmup", "--rounds", "--threads", "--allocator", "--peer", "--python", "--out");
    }

    @Test
    @DisplayName("allocator variants: launcher keeps the environment, plain removes the settings, KEY=VALUE sets them over plain")
    void allocatorVariants() {
        Map<String, String> env = new HashMap<>(Map.of("MALLOC_ARENA_MAX", "2", "PATH", "/bin"));
        AllocatorVariant.parse("launcher").applyTo(env);
        assertThat(env).containsEntry("MALLOC_ARENA_MAX", "2");
        AllocatorVariant.parse("plain").applyTo(env);
        assertThat(env).doesNotContainKey("MALLOC_ARENA_MAX").containsEntry("PATH", "/bin");
        assertThat(AllocatorVariant.effective(env)).isEqualTo("(glibc defaults)");
        AllocatorVariant v = AllocatorVariant.parse("MALLOC_MMAP_THRESHOLD_=33554432;MALLOC_TRIM_THRESHOLD_=1");
        v.applyTo(env);
        assertThat(env).containsEntry("MALLOC_MMAP_THRESHOLD_", "33554432").containsEntry("MALLOC_TRIM_THRESHOLD_", "1");
        assertThat(AllocatorVariant.effective(env)).isEqualTo("MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1");
        assertThatThrownBy(() -> AllocatorVariant.parse("nonsense")).hasMessageContaining("nonsense");
    }

    @Test
    @DisplayName("/proc/self/stat: user and system ticks, minor and major faults, whatever the command name holds")
    void procStat() {
        String line = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 1234567 0 89 0 5000 700 0 0 20 0 40 0 100 1 2";
        ProcStats s = ProcStats.parse(line);
        assertThat(s.minorFaults()).isEqualTo(1234567);
        assertThat(s.majorFaults()).isEqualTo(89);
        assertThat(s.userSeconds()).isEqualTo(50.0);
        assertThat(s.systemSeconds()).isEqualTo(7.0);
        assertThat(ProcStats.now().userTicks()).isGreaterThanOrEqualTo(0);
    }

    @Test
    @DisplayName("the table and the ratios: median step, FLOP bound at the measured GEMM rate, dpo4j over PyTorch, DPO over SFT")
    void report() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String common = "\"shape\":\"smollm2-135m\",\"tokens_per_step\":2048,\"parameters\":100000000,\"threads\":2,"
                + "\"gemm_flops_per_second\":1.2e11,\"user_seconds\":[8,8,8],\"system_seconds\":[2,2,2],"
                + "\"minor_faults\":[1000,1000,1000],\"peak_rss_bytes\":1073741824,\"load_before\":\"1.00 1.00 1.00\","
                + "\"load_after\":\"2.00 1.50 1.00\"";
        StepReport.Row dpo = StepReport.Row.of(json.readTree("{\"implementation\":\"dpo4j\",\"kind\":\"dpo\","
                + "\"step_seconds\":[10.0,9.0,30.0]," + common + "}"));
        StepReport.Row sft = StepReport.Row.of(json.readTree("{\"implementation\":\"dpo4j\",\"kind\":\"sft\","
                + "\"step_seconds\":[8.0]," + common + "}"));
        StepReport.Row peer = StepReport.Row.of(json.readTree("{\"implementation\":\"pytorch\",\"kind\":\"dpo\","
                + "\"allocator\":\"plain\",\"step_seconds\":[20.0,20.0]," + common + "}"));
        // median 10 s: 204.8 tokens/s; bound 1.2e11 / 6e8 = 200 tokens/s
        assertThat(dpo.steadySeconds()).isEqualTo(10.0);
        assertThat(dpo.tokensPerSecond()).isEqualTo(204.8);
        assertThat(dpo.boundTokensPerSecond()).isEqualTo(200.0);
        assertThat(dpo.systemShare()).isEqualTo(0.2);
        List<String> table = StepReport.table(List.of(dpo, sft, peer));
        assertThat(table).hasSize(5);
        assertThat(table.get(2)).isEqualTo("| smollm2-135m | DPO | dpo4j | launcher | 2 | 1 | 204.8 | 10.00 | 8.00 | 2.00 (20%) "
                + "| 1,000 | 1.00 GiB | 120.0 | 200 | 102% | 1.00 1.00 1.00 → 2.00 1.50 1.00 |");
        assertThat(table.get(4)).contains("| PyTorch eager | plain |").contains("| 102.4 | 20.00 |");
        assertThat(StepReport.ratios(List.of(dpo, sft, peer))).containsExactly(
                "smollm2-135m: DPO step, dpo4j / PyTorch eager tokens/s = 2.00×",
                "smollm2-135m: DPO step, dpo4j at 102% of the FLOP bound",
                "smollm2-135m: DPO step time / SFT step time, dpo4j = 1.25×");
    }

    @Test
    @DisplayName("rounds: the peer runs last in odd rounds and first in even ones, per shape, step and thread count")
    void plan() {
        List<AllocatorVariant> variants = List.of(AllocatorVariant.parse("launcher"));
        List<StepBenchCommand.Planned> plan = StepBenchCommand.plan(2, List.of(io.dpo4j.cli.memory.RealShapes.SMOLLM2_135M),
                List.of("dpo", "sft"), List.of(0), variants, true);
        assertThat(plan).extracting(p -> p.round() + " " + p.kind() + " " + (p.variant() == null ? "peer" : "dpo4j"))
                .containsExactly("1 dpo dpo4j", "1 dpo peer", "1 sft dpo4j", "1 sft peer",
                        "2 dpo peer", "2 dpo dpo4j", "2 sft peer", "2 sft dpo4j");
        assertThat(StepBenchCommand.plan(3, List.of(io.dpo4j.cli.memory.RealShapes.SMOLLM2_135M), List.of("dpo"), List.of(0),
                variants, false)).extracting(StepBenchCommand.Planned::round).containsExactly(1, 2, 3);
    }

    @Test
    @DisplayName("rounds pooled: each side's median over all its timed steps, the best GEMM rate, each round's ratio beside")
    void pooledRounds() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String common = "\"shape\":\"smollm2-135m\",\"tokens_per_step\":2048,\"parameters\":100000000,\"threads\":2,"
                + "\"user_seconds\":[8,8],\"system_seconds\":[2,2],\"minor_faults\":[1000,1000],"
                + "\"load_before\":\"1.00 1.00 1.00\",\"load_after\":\"2.00 1.50 1.00\"";
        List<StepReport.Row> rows = new java.util.ArrayList<>();
        // dpo4j: a slow round (16, 16 s) and a fast one (10, 10 s); the peer 20 s in both
        for (String r : new String[] {
            "{\"implementation\":\"dpo4j\",\"kind\":\"dpo\",\"round\":1,\"step_seconds\":[16.0,16.0],"
                + "\"gemm_flops_per_second\":1.0e11,\"peak_rss_bytes\":2147483648," + common + "}",
            "{\"implementation\":\"pytorch\",\"kind\":\"dpo\",\"allocator\":\"plain\",\"round\":1,"
                + "\"step_seconds\":[20.0,20.0],\"gemm_flops_per_second\":1.0e11,\"peak_rss_bytes\":1," + common + "}",
            "{\"implementation\":\"pytorch\",\"kind\":\"dpo\",\"allocator\":\"plain\",\"round\":2,"
                + "\"step_seconds\":[20.0,20.0],\"gemm_flops_per_second\":1.0e11,\"peak_rss_bytes\":1," + common + "}",
            "{\"implementation\":\"dpo4j\",\"kind\":\"dpo\",\"round\":2,\"step_seconds\":[10.0,12.0],"
                + "\"gemm_flops_per_second\":1.2e11,\"peak_rss_bytes\":1073741824," + common + "}"}) {
            rows.add(StepReport.Row.of(json.readTree(r)));
        }
        StepReport.Row pooled = StepReport.pooled(rows, "smollm2-135m", 2, "dpo4j", "dpo").orElseThrow();
        assertThat(pooled.stepSeconds()).containsExactly(16.0, 16.0, 10.0, 12.0);
        assertThat(pooled.steadySeconds()).isEqualTo(14.0); // the median of 10, 12, 16, 16
        assertThat(pooled.gemmFlopsPerSecond()).isEqualTo(1.2e11);
        assertThat(pooled.peakRssBytes()).isEqualTo(2147483648L);
        assertThat(StepReport.table(rows).get(5)).contains("| dpo4j | launcher | 2 | 2 | 186.2 | 11.00 |");
        // 2048 / 14 over 2048 / 20 = 20 / 14
        assertThat(StepReport.ratios(rows)).containsExactly(
                "smollm2-135m: DPO step, dpo4j / PyTorch eager tokens/s = 1.43× (medians of 4 and 4 timed steps over 2 rounds)",
                "smollm2-135m: DPO step, dpo4j at 73% of the FLOP bound",
                "smollm2-135m: DPO step, dpo4j / PyTorch eager tokens/s in each round alone: round 1 1.25×, round 2 1.82×");
    }
}
