package io.dpo4j.bench.lab;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.bench.scenario.BenchContext;
import io.dpo4j.core.registry.ObjectiveRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A benchmark worker process (started by {@link WorkerPool}): reads one JSON request per line —
 * {@code open} a seed's lab, or {@code run} a {@link RunSpec} on a seed — and answers each with one
 * JSON line, {@code {"result": …}} or {@code {"error": "…"}}. Its labs are the parent's (same report
 * folder, same deterministic data), its runs the same as in the parent process. Arguments: the report
 * folder, then plugin folders or jars.
 */
public final class CellWorker {

    private CellWorker() {
    }

    /** The worker's entry point. */
    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        PrintStream protocol = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        Path output = Path.of(args[0]);
        List<Path> plugins = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            plugins.add(Path.of(args[i]));
        }
        ObjectMapper json = RunJson.mapper();
        ObjectiveRegistry registry = ObjectiveRegistry.discover(CellWorker.class.getClassLoader(), plugins);
        ExecutorService direct = Executors.newSingleThreadExecutor();
        PrintWriter log = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        try (NDManager manager = NDManager.newBaseManager()) {
            BenchContext ctx = new BenchContext(registry, output, false, List.of(), log, manager, direct, 1, 0,
                    CellRunner.local(direct));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                ObjectNode reply = json.createObjectNode();
                try {
                    JsonNode request = json.readTree(line);
                    LanguageLab.Settings settings = json.treeToValue(request.get("lab"), LanguageLab.Settings.class);
                    LanguageLab lab = BenchContext.join(LanguageLab.open(ctx, request.get("seed").asLong(), settings));
                    if ("run".equals(request.path("type").asText())) {
                        RunSpec spec = json.treeToValue(request.get("spec"), RunSpec.class);
                        reply.set("result", json.valueToTree(BenchContext.join(lab.submit(spec))));
                    } else {
                        reply.put("result", "open");
                    }
                } catch (Exception | Error e) {
                    StringWriter trace = new StringWriter();
                    e.printStackTrace(new PrintWriter(trace));
                    log.println(trace);
                    reply.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                protocol.println(json.writeValueAsString(reply));
                protocol.flush();
            }
        } finally {
            direct.shutdownNow();
        }
        // Standard input closed: the suite is over (or its process died); leave no thread behind.
        System.exit(0);
    }
}
