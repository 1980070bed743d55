package io.dpo4j.bench.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs cells in {@code n} worker processes ({@link CellWorker}, the same class path), one run per
 * worker at a time: a run is a JSON line to the worker's standard input, its {@link Run} a JSON line
 * back. Each worker logs to {@code work/worker-K.log}. Seeds are first prepared round-robin (each
 * worker warms up the π_ref of its share of the seeds, so no two warm the same one), then runs go to
 * whichever worker is free.
 */
public final class WorkerPool implements CellRunner {

    private record Task(ObjectNode request, CompletableFuture<JsonNode> result) {
    }

    private final ObjectMapper json = RunJson.mapper();
    private final List<Process> processes = new ArrayList<>();
    private final List<BlockingQueue<Task>> own = new ArrayList<>();
    private final BlockingQueue<Task> shared = new LinkedBlockingQueue<>();
    private final List<CompletableFuture<JsonNode>> prepared = new ArrayList<>();
    private final List<Thread> dispatchers = new ArrayList<>();
    private volatile boolean closed;

    /**
     * Starts the workers.
     *
     * @param n how many
     * @param output the report folder (the labs live under {@code output/work})
     * @param plugins plugin folders or jars to load in each worker
     */
    public WorkerPool(int n, Path output, List<Path> plugins) throws IOException {
        Files.createDirectories(output.resolve("work"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int k = 0; k < n; k++) {
            List<String> cmd = new ArrayList<>(List.of(java, "-Xss4m", "-Dai.djl.offline=true",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                    CellWorker.class.getName(), output.toAbsolutePath().toString()));
            plugins.forEach(p -> cmd.add(p.toAbsolutePath().toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("OPT_OUT_TRACKING", "true");
            pb.redirectError(output.resolve("work").resolve("worker-" + (k + 1) + ".log").toFile());
            Process p = pb.start();
            processes.add(p);
            BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
            own.add(queue);
            Thread t = new Thread(() -> dispatch(p, queue), "bench-worker-" + (k + 1));
            t.setDaemon(true);
            t.start();
            dispatchers.add(t);
        }
    }

    private void dispatch(Process p, BlockingQueue<Task> mine) {
        try (BufferedWriter in = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
            while (!closed) {
                Task t = mine.poll();
                if (t == null) {
                    t = shared.poll(50, TimeUnit.MILLISECONDS);
                }
                if (t == null) {
                    continue;
                }
                try {
                    in.write(json.writeValueAsString(t.request()));
                    in.newLine();
                    in.flush();
                    String line = out.readLine();
                    if (line == null) {
                        throw new IOException("the worker process ended (exit " + waitFor(p) + "); see its log in work/");
                    }
                    JsonNode reply = json.readTree(line);
                    if (reply.has("error")) {
                        t.result().completeExceptionally(new IllegalStateException(reply.get("error").asText()));
                    } else {
                        t.result().complete(reply.get("result"));
                    }
                } catch (IOException | RuntimeException e) {
                    t.result().completeExceptionally(e);
                    if (!p.isAlive()) {
                        failAll(mine, e);
                        return;
                    }
                }
            }
        } catch (IOException e) {
            failAll(mine, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void failAll(BlockingQueue<Task> mine, Exception e) {
        Task t;
        while ((t = mine.poll()) != null) {
            t.result().completeExceptionally(e);
        }
    }

    private static int waitFor(Process p) {
        try {
            return p.waitFor(5, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void prepare(LanguageLab.Settings settings, long seed) {
        ObjectNode r = json.createObjectNode();
        r.put("type", "open");
        r.put("seed", seed);
        r.set("lab", json.valueToTree(settings));
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        own.get(prepared.size() % own.size()).add(new Task(r, f));
        prepared.add(f);
    }

    @Override
    public void awaitPrepared() {
        prepared.forEach(f -> f.join());
    }

    @Override
    public CompletableFuture<Run> run(LanguageLab lab, RunSpec spec) {
        ObjectNode r = json.createObjectNode();
        r.put("type", "run");
        r.put("seed", lab.seed());
        r.set("lab", json.valueToTree(lab.settings()));
        r.set("spec", json.valueToTree(spec));
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        shared.add(new Task(r, f));
        return f.thenApply(node -> {
            try {
                return json.treeToValue(node, Run.class);
            } catch (IOException e) {
                throw new IllegalStateException("a worker's result could not be read: " + e.getMessage(), e);
            }
        });
    }

    @Override
    public double externalCpuSeconds() {
        return processes.stream().mapToDouble(p -> p.toHandle().info().totalCpuDuration()
                .map(d -> d.toNanos() / 1e9).orElse(0.0)).sum();
    }

    @Override
    public void close() {
        closed = true;
        for (Process p : processes) {
            try {
                p.getOutputStream().close();
            } catch (IOException e) {
                // already gone
            }
        }
        for (Process p : processes) {
            if (waitFor(p) < 0) {
                p.destroy();
            }
        }
    }
}
