package io.dpo4j.cli.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.memory.AvailableMemory;
import io.dpo4j.core.memory.MemoryPlan;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dpo bench-memory}: the real-scale memory benchmark. For each shape (random weights built on the
 * fly with a real checkpoint's architecture; nothing is downloaded) and each way of training (full, full +
 * activation checkpointing, LoRA r 16 on every projection, LoRA + checkpointing), one DPO step of
 * {@code pairs × tokens} after the no-grad reference pass, each row in a fresh JVM so its peak resident
 * memory ({@code VmHWM}) is its own. Rows whose plan does not fit the available memory are not run: the
 * plan's refusal is the row. Prints a Markdown table — plan beside measured peak, tokens/s, the machine's
 * load average before and after each row — and writes it with the raw JSON lines.
 */
@Command(name = "bench-memory", mixinStandardHelpOptions = true,
        description = {"Real-scale memory benchmark: a DPO step on random-weight models of real shapes (SmolLM2-135M, "
                + "Qwen2.5-0.5B, Qwen2.5-1.5B), full / full+ckpt / lora / lora+ckpt, peak resident memory beside the "
                + "memory plan's estimate, tokens/s and the load average. One fresh JVM per row.",
                "Heavy: at 4 pairs x 512 tokens a Qwen2.5-0.5B row takes minutes on 2 idle cores."})
public final class MemoryBenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--shapes", split = ",", defaultValue = "smollm2-135m,qwen2.5-0.5b", paramLabel = "LIST",
            description = "Shapes: smollm2-135m, qwen2.5-0.5b, qwen2.5-1.5b. Default: ${DEFAULT-VALUE}.")
    List<String> shapes;

    @Option(names = "--modes", split = ",", defaultValue = "full,full+ckpt,lora,lora+ckpt", paramLabel = "LIST",
            description = "Ways of training: full, full+ckpt, lora, lora+ckpt. Default: ${DEFAULT-VALUE}.")
    List<String> modes;

    @Option(names = "--pairs", defaultValue = "4", description = "Preference pairs per step. Default: ${DEFAULT-VALUE}.")
    int pairs;

    @Option(names = "--tokens", defaultValue = "512", description = "Tokens per sequence (a quarter prompt). "
            + "Default: ${DEFAULT-VALUE}.")
    int tokens;

    @Option(names = "--fp16", description = "Hold LoRA rows' frozen base in FLOAT16.")
    boolean fp16;

    @Option(names = "--threads", defaultValue = "1", description = "libtorch threads per row (1 is fastest on a "
            + "busy machine: OpenMP threads spin). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--steps", defaultValue = "2", description = "Training steps per row, one optimizer across them "
            + "(a run's peak is its second step's: AdamW's moments are live through it). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--save-model", paramLabel = "DIR", description = "Instead of benchmarking: write a random-weight "
            + "checkpoint of the one shape in --shapes (float32, Hugging Face layout) with the tokenizer of --tokenizer "
            + "into DIR, for measuring dpo train or dpo score at that shape.")
    Path saveModel;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "With --save-model: the folder whose tokenizer "
            + "files are copied (tokenizer.json or tokenizer.json.gz, tokenizer_config.json, ...).")
    Path tokenizer;

    @Option(names = "--plan-only", description = "Print each row's memory plan and stop (nothing runs).")
    boolean planOnly;

    @Option(names = {"-o", "--out"}, defaultValue = "runs/bench-memory", paramLabel = "DIR",
            description = "Where table.md and rows.jsonl go. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        if (saveModel != null) {
            if (shapes.size() != 1 || tokenizer == null) {
                throw new DpoException("--save-model needs one shape (--shapes) and --tokenizer DIR");
            }
            RealShapes shape = RealShapes.fromId(shapes.get(0));
            RandomCheckpoint.write(shape, tokenizer, saveModel);
            log.println("wrote a random-weight " + shape.id() + " checkpoint (" + String.format(Locale.ROOT, "%,d",
                    shape.config().parameterCount()) + " parameters, float32) to " + saveModel);
            log.flush();
            return 0;
        }
        List<String> table = new ArrayList<>();
        table.add("| shape | training | trainable | plan | measured peak | measured / plan | tokens/s | step | "
                + "load avg before → after |");
        table.add("|---|---|---:|---:|---:|---:|---:|---:|---|");
        List<String> raw = new ArrayList<>();
        for (String shapeId : shapes) {
            RealShapes shape = RealShapes.fromId(shapeId);
            for (String modeId : modes) {
                TrainingMode mode = TrainingMode.fromId(modeId);
                MemoryPlan plan = MemoryPlan.of(MemoryRow.planInput(shape, mode, pairs, tokens, fp16 && mode.lora()));
                long available = AvailableMemory.bytes().orElse(Long.MAX_VALUE);
                if (planOnly) {
                    log.println(shape.id() + " " + mode.id() + ":");
                    plan.describe().forEach(l -> log.println("  " + l));
                    continue;
                }
                String load0 = loadAverage();
                if (plan.peakBytes() > available) {
                    String line = String.format(Locale.ROOT, "| %s | %s | | %s | refused by the plan (%s available) | "
                            + "| | | %s |", shape.id(), mode.id(), MemoryPlan.gib(plan.peakBytes()),
                            MemoryPlan.gib(available), load0);
                    table.add(line);
                    log.println(line);
                    log.flush();
                    continue;
                }
                JsonNode row = runRow(shape, mode, available);
                String load1 = loadAverage();
                raw.add(row.toString());
                String line = row.has("stopped_over_bytes")
                        ? String.format(Locale.ROOT, "| %s | %s | | %s | stopped above %s | | | | %s → %s |", shape.id(),
                                mode.id(), MemoryPlan.gib(plan.peakBytes()),
                                MemoryPlan.gib(row.get("stopped_over_bytes").asLong()), load0, load1)
                        : String.format(Locale.ROOT, "| %s | %s | %,d | %s | %s | %.2f | %.1f | %.0f s | %s → %s |",
                                shape.id(), mode.id() + (fp16 && mode.lora() ? "+fp16" : ""), row.get("trainable").asLong(),
                                MemoryPlan.gib(plan.peakBytes()), MemoryPlan.gib(row.get("peak_rss_bytes").asLong()),
                                row.get("peak_rss_bytes").asDouble() / plan.peakBytes(),
                                row.get("tokens_per_second").asDouble(), row.get("step_seconds").asDouble(), load0, load1);
                table.add(line);
                log.println(line);
                log.flush();
            }
        }
        if (planOnly) {
            log.flush();
            return 0;
        }
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("table.md"), String.join("\n", table) + "\n");
        AtomicFiles.writeString(out.resolve("rows.jsonl"), raw.isEmpty() ? "" : String.join("\n", raw) + "\n");
        log.println();
        table.forEach(log::println);
        log.println("wrote " + out.resolve("table.md") + " and " + out.resolve("rows.jsonl"));
        log.flush();
        return 0;
    }

    /** Runs one row in a fresh JVM (stopped by its own watchdog above {@code limit}) and returns its JSON. */
    private JsonNode runRow(RealShapes shape, TrainingMode mode, long limit) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xss4m", "-Ddpo.threads=" + threads,
                "-Ddpo.rssLimitMib=" + (limit >> 20), "-Dai.djl.offline=true", "-cp",
                System.getProperty("java.class.path"), MemoryRow.class.getName(), shape.id(), mode.id(),
                String.valueOf(pairs), String.valueOf(tokens), "--steps", String.valueOf(steps)));
        if (fp16 && mode.lora()) {
            command.add("--fp16");
        }
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String found = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(MemoryRow.PREFIX)) {
                    found = line.substring(MemoryRow.PREFIX.length());
                }
            }
        }
        int exit = p.waitFor();
        if (found == null) {
            throw new DpoException("bench-memory: the row " + shape.id() + " " + mode.id() + " exited with " + exit
                    + " without a result (run it alone: java -cp ... " + MemoryRow.class.getName() + " " + shape.id()
                    + " " + mode.id() + " " + pairs + " " + tokens + ")");
        }
        return JSON.readTree(found);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }
}
