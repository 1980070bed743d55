package io.dpo4j.cli.step;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.cli.memory.RealShapes;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.AtomicFiles;
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
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dpo bench-step}: the training-step benchmark. For each shape (random weights built on the fly with a
 * real checkpoint's architecture) a DPO step with cached reference log-probs and an SFT step on the same
 * tokens, through the library's {@link io.dpo4j.train.TrainingStep} (float32, AdamW), each row in a fresh JVM
 * so that its peak memory and page faults are its own; beside each, the same step written the textbook way
 * in PyTorch eager ({@code tools/step-peer/step_peer.py}) when {@code python3} with {@code torch} is there.
 * Prints and writes (results.md, results.json) the table of steady tokens/s, CPU user and system time,
 * minor page faults, peak RSS, the GEMM rate and FLOP-bound share measured in each row's process, the
 * ratios, and the machine's load average before and after every row.
 */
@Command(name = "bench-step", mixinStandardHelpOptions = true,
        description = {"Training-step benchmark: a DPO step with cached reference log-probs and an SFT step on the "
                + "same tokens at real shapes (random weights), beside the same steps in PyTorch eager (when python3 "
                + "with torch is installed): tokens/s, CPU user/system time, minor page faults, peak RSS and the share "
                + "of the 6*N*tokens FLOP bound at the GEMM rate measured in the same process. One fresh process per row.",
                "Heavy: about 10 GB resident at the SmolLM2-135M shape, more at Qwen2.5-0.5B; on a shared machine "
                + "run it under flock."})
public final class StepBenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String DEFAULT_PEER = "tools/step-peer/step_peer.py";

    @Spec
    CommandSpec spec;

    @Option(names = "--shapes", split = ",", defaultValue = "smollm2-135m,qwen2.5-0.5b", paramLabel = "LIST",
            description = "Shapes: smollm2-135m, qwen2.5-0.5b, qwen2.5-1.5b. Default: ${DEFAULT-VALUE}.")
    List<String> shapes;

    @Option(names = "--steps-of", split = ",", defaultValue = "dpo,sft", paramLabel = "LIST",
            description = "Which steps: dpo (cached reference), sft (token-mean NLL of the same responses). "
                    + "Default: ${DEFAULT-VALUE}.")
    List<String> kinds;

    @Option(names = "--pairs", defaultValue = "4", description = "Preference pairs per step (2 sequences each). "
            + "Default: ${DEFAULT-VALUE}.")
    int pairs;

    @Option(names = "--prompt-tokens", defaultValue = "64", description = "Prompt tokens per pair. "
            + "Default: ${DEFAULT-VALUE}.")
    int promptTokens;

    @Option(names = "--response-tokens", defaultValue = "192", description = "Tokens per response (chosen and "
            + "rejected alike). Default: ${DEFAULT-VALUE} (256-token sequences).")
    int responseTokens;

    @Option(names = "--steps", defaultValue = "3", description = "Timed steps per row. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--rounds", defaultValue = "2", description = "Rounds of the whole sequence of rows. A virtual "
            + "machine's speed can drift from minute to minute (on the 2-core VM this was built on, the same step took 15 s "
            + "in one minute and 19 s in the next), so one row each can put one implementation in a slow spell and the "
            + "other in a fast one; in even rounds each step's peer row runs before this project's (A B, then B A: a drift falls on both), and the ratios pool "
            + "every round's timed steps (their median). Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps before them (the first faults "
            + "in the step's memory, the second still settles it; from the third the allocator has settled). "
            + "Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--threads", split = ",", defaultValue = "0", paramLabel = "LIST", description = "Intra-op threads "
            + "per row, both implementations; a list runs each (0: the library's policy, and every core for PyTorch). "
            + "Default: ${DEFAULT-VALUE}.")
    List<Integer> threads;

    @Option(names = "--checkpointing", description = "Activation checkpointing in this project's rows.")
    boolean checkpointing;

    @Option(names = "--kernel", paramLabel = "ID", description = "This project's log-prob kernel (naive, chunked, ...); "
            + "default: the training step's default.")
    String kernel;

    @Option(names = "--allocator", paramLabel = "VARIANT", description = "The allocator environment of this "
            + "project's rows; repeat to compare: launcher (as inherited: ./dpo's settings), plain (glibc and libtorch "
            + "defaults), or KEY=VALUE[;KEY=VALUE...] over plain (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, "
            + "MALLOC_TOP_PAD_, MALLOC_ARENA_MAX, MALLOC_MMAP_MAX_, GLIBC_TUNABLES, THP_MEM_ALLOC_ENABLE, OMP_WAIT_POLICY, "
            + "GOMP_SPINCOUNT). "
            + "Default: launcher.")
    List<String> allocators;

    @Option(names = "--peer", defaultValue = "auto", paramLabel = "auto|off",
            description = "Run the PyTorch-eager peer beside each row (auto: when python3 imports torch). "
                    + "Default: ${DEFAULT-VALUE}.")
    String peer;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "EXE",
            description = "The peer's interpreter. Default: ${DEFAULT-VALUE}.")
    String python;

    @Option(names = "--peer-script", paramLabel = "FILE", description = "The peer script. Default: " + DEFAULT_PEER
            + " in the working directory or the project checkout.")
    Path peerScript;

    @Option(names = {"-o", "--out"}, defaultValue = "runs/bench-step", paramLabel = "DIR",
            description = "Where results.md and results.json go. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        List<RealShapes> shapeList = new ArrayList<>();
        for (String s : shapes) {
            try {
                shapeList.add(RealShapes.fromId(s));
            } catch (IllegalArgumentException e) {
                throw new DpoException("bench-step: --shapes: " + e.getMessage());
            }
        }
        for (String k : kinds) {
            if (!k.equals("dpo") && !k.equals("sft")) {
                throw new DpoException("bench-step: --steps-of: unknown step '" + k + "' (expected dpo or sft)");
            }
        }
        require(pairs >= 1, "--pairs", pairs, ">= 1");
        require(promptTokens >= 1, "--prompt-tokens", promptTokens, ">= 1");
        require(responseTokens >= 1, "--response-tokens", responseTokens, ">= 1");
        require(steps >= 1, "--steps", steps, ">= 1");
        require(warmup >= 0, "--warmup", warmup, ">= 0");
        require(rounds >= 1, "--rounds", rounds, ">= 1");
        for (int n : threads) {
            require(n >= 0, "--threads", n, ">= 0");
        }
        if (!peer.equals("auto") && !peer.equals("off")) {
            throw new DpoException("bench-step: --peer: expected auto or off, got '" + peer + "'");
        }
        List<AllocatorVariant> variants = new ArrayList<>();
        for (String a : allocators == null ? List.of("launcher") : allocators) {
            try {
                variants.add(AllocatorVariant.parse(a));
            } catch (IllegalArgumentException e) {
                throw new DpoException("bench-step: --allocator: " + e.getMessage());
            }
        }
        String loadStart = loadAverage();
        Optional<String> peerNote = Optional.empty();
        Path script = null;
        if (peer.equals("auto")) {
            script = peerScript != null ? peerScript : findPeerScript();
            peerNote = script == null ? Optional.of("PyTorch-eager peer skipped: " + DEFAULT_PEER + " not found (give "
                    + "--peer-script)") : PeerProcess.unavailable(python);
            if (peerNote.isPresent()) {
                script = null;
                log.println(peerNote.get());
            }
        } else {
            peerNote = Optional.of("PyTorch-eager peer not run (--peer off)");
        }
        log.printf(Locale.ROOT, "bench-step: %s; %d pairs x (%d prompt + 2 x %d response) tokens = %d tokens per step; "
                + "%d warm-up + %d timed steps per row, %d round(s); load average %s%n", String.join(", ", shapes), pairs,
                promptTokens, responseTokens, 2L * pairs * (promptTokens + responseTokens), warmup, steps, rounds,
                loadStart);
        log.flush();
        List<JsonNode> raw = new ArrayList<>();
        List<StepReport.Row> rows = new ArrayList<>();
        List<String> lines = new ArrayList<>(StepReport.table(List.of()));
        lines.forEach(log::println);
        for (Planned row : plan(rounds, shapeList, kinds, threads, variants, script != null)) {
            ObjectNode measured = row.variant() == null
                    ? runRow(PeerProcess.command(python, script, row.shape(), row.kind(), pairs, promptTokens,
                            responseTokens, steps, warmup, row.threads()), AllocatorVariant.parse("plain"),
                            "PyTorch " + row.shape().id() + " " + row.kind())
                    : runRow(rowCommand(row.shape(), row.kind(), row.threads()), row.variant(),
                            "dpo4j " + row.shape().id() + " " + row.kind());
            measured.put("round", row.round());
            raw.add(measured);
            rows.add(StepReport.Row.of(measured));
            log.println(StepReport.line(rows.get(rows.size() - 1)));
            log.flush();
        }
        String loadEnd = loadAverage();
        List<String> md = new ArrayList<>();
        md.add("Command: `" + commandLine() + "`");
        md.add("");
        md.add(String.format(Locale.ROOT, "%d pairs × (%d prompt + 2 × %d response) tokens = %d tokens per step, "
                + "float32, AdamW; %d warm-up + %d timed steps per row (tokens/s from the median timed step), %d "
                + "round%s of the rows%s; load average %s at the start, %s at the end.", pairs, promptTokens,
                responseTokens, 2L * pairs * (promptTokens + responseTokens), warmup, steps, rounds,
                rounds == 1 ? "" : "s", rounds == 1 ? "" : " (the peer first in even rounds; the ratios pool the "
                + "rounds' timed steps)", loadStart, loadEnd));
        md.add("");
        md.addAll(StepReport.table(rows));
        md.add("");
        for (String r : StepReport.ratios(rows)) {
            md.add("- " + r);
        }
        peerNote.ifPresent(n -> md.add("- " + n));
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("results.md"), String.join("\n", md) + "\n");
        ObjectNode json = JSON.createObjectNode();
        json.put("command", commandLine());
        json.put("rounds", rounds);
        json.put("load_average_start", loadStart);
        json.put("load_average_end", loadEnd);
        json.put("processors", Runtime.getRuntime().availableProcessors());
        peerNote.ifPresent(n -> json.put("peer_note", n));
        ArrayNode rowsJson = json.putArray("rows");
        raw.forEach(rowsJson::add);
        ArrayNode ratiosJson = json.putArray("ratios");
        StepReport.ratios(rows).forEach(ratiosJson::add);
        AtomicFiles.writeString(out.resolve("results.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
        log.println();
        md.forEach(log::println);
        log.println("wrote " + out.resolve("results.md") + " and " + out.resolve("results.json"));
        log.flush();
        return 0;
    }

    /**
     * One row to run: this project's under {@code variant}, or the PyTorch-eager peer's when {@code variant} is null.
     */
    record Planned(int round, RealShapes shape, String kind, int threads, AllocatorVariant variant) {
    }

    /**
     * The rows in the order they run: round after round, each shape, step and thread count with this project's
     * rows (one per allocator variant) and the peer's — the peer last in odd rounds and first in even ones (A B,
     * B A), so that a drift of the machine's speed falls on both sides.
     */
    static List<Planned> plan(int rounds, List<RealShapes> shapes, List<String> kinds, List<Integer> threads,
            List<AllocatorVariant> variants, boolean peer) {
        List<Planned> out = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (RealShapes shape : shapes) {
                for (String kind : kinds) {
                    for (int n : threads) {
                        boolean peerFirst = round % 2 == 0;
                        if (peer && peerFirst) {
                            out.add(new Planned(round, shape, kind, n, null));
                        }
                        for (AllocatorVariant v : variants) {
                            out.add(new Planned(round, shape, kind, n, v));
                        }
                        if (peer && !peerFirst) {
                            out.add(new Planned(round, shape, kind, n, null));
                        }
                    }
                }
            }
        }
        return out;
    }

    private static void require(boolean ok, String option, int value, String rule) {
        if (!ok) {
            throw new DpoException("bench-step: " + option + " = " + value + ": must be " + rule);
        }
    }

    /** The command of one of this project's rows. */
    List<String> rowCommand(RealShapes shape, String kind, int threadCount) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> c = new ArrayList<>(List.of(java, "-Xss4m", "-Ddpo.threads=" + threadCount, "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), StepRow.class.getName(), shape.id(), kind,
                String.valueOf(pairs), String.valueOf(promptTokens), String.valueOf(responseTokens),
                String.valueOf(steps), String.valueOf(warmup)));
        if (checkpointing) {
            c.add("--checkpointing");
        }
        if (kernel != null) {
            c.add("--kernel");
            c.add(kernel);
        }
        return c;
    }

    /** Runs one row's process under an allocator variant; its {@code ROW} line with the load averages added. */
    private ObjectNode runRow(List<String> command, AllocatorVariant variant, String what)
            throws IOException, InterruptedException {
        String before = loadAverage();
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        variant.applyTo(pb.environment());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        String settings = AllocatorVariant.effective(pb.environment());
        Process p = pb.start();
        String found = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(StepRow.PREFIX)) {
                    found = line.substring(StepRow.PREFIX.length());
                }
            }
        }
        int exit = p.waitFor();
        if (found == null) {
            throw new DpoException("bench-step: the row " + what + " exited with " + exit + " without a result (its "
                    + "output is above; run it alone: " + String.join(" ", command) + ")");
        }
        ObjectNode row = (ObjectNode) JSON.readTree(found);
        row.put("allocator", variant.name());
        row.put("allocator_settings", settings);
        row.put("load_before", before);
        row.put("load_after", loadAverage());
        return row;
    }

    /** The peer script in the working directory, else in the checkout this distribution was built in. */
    static Path findPeerScript() {
        Path here = Path.of(DEFAULT_PEER);
        if (Files.isRegularFile(here)) {
            return here;
        }
        try {
            Path jar = Path.of(StepBenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve(DEFAULT_PEER))) {
                    return p.resolve(DEFAULT_PEER);
                }
            }
        } catch (Exception e) {
            // not found
        }
        return null;
    }

    private String commandLine() {
        List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        if (!args.isEmpty() && args.get(0).equals(spec.name())) {
            args.remove(0); // the parse result's arguments start at the subcommand's name
        }
        return "./dpo bench-step " + String.join(" ", args);
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }
}
