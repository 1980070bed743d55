package io.dpo4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.core.DpoException;
import io.dpo4j.cli.config.ConfigFiles;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.registry.ObjectiveRegistry;
import io.dpo4j.cli.TrainJob;
import io.dpo4j.core.train.ProgressBar;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code dpo train}: configuration-driven preference training (see {@code docs/training.md}). */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a policy with a preference objective from a YAML configuration. Without a file it runs "
                + "the embedded default: generate the built-in data, warm up the tiny model, train it with dpo.")
public final class TrainCommand implements Callable<Integer> {

    /** The built-in configuration used without a file. */
    public static final String DEFAULT_CONFIG = "/io/dpo4j/cli/config/default-train.yaml";

    @ParentCommand
    DpoCommand root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "The configuration (YAML).")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a key, e.g. --set objective.id=simpo --set optimizer.lr=5e-4; repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = {"-o", "--out"}, paramLabel = "DIR",
            description = "The run folder (default: the configuration's output, else runs/train-TIMESTAMP).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in the output folder from its newest valid checkpoint.")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace a previous run in the output folder.")
    boolean overwrite;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Cache folder for generated data, warmed-up models and reference statistics "
                    + "(default: .cache beside the run folder).")
    Path cache;

    @Option(names = "--validate-only", description = "Check the configuration (every error at once) and stop.")
    boolean validateOnly;

    @Override
    public Integer call() throws Exception {
        if (resume && overwrite) {
            throw new DpoException("--resume and --overwrite contradict each other; choose one");
        }
        String source = configFile == null ? "the embedded default configuration" : configFile.toString();
        ObjectNode tree = configFile == null ? defaultTree() : ConfigFiles.load(configFile);
        ConfigFiles.applyOverrides(tree, overrides);
        if (out != null) {
            tree.put("output", out.toString());
        } else if (!tree.has("output")) {
            if (resume) {
                throw new DpoException("--resume needs the run folder: pass --out DIR (or set output in the configuration)");
            }
            tree.put("output", Path.of("runs", "train-" + LocalDateTime.now().format(
                    DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT))).toString());
        }
        TrainConfig config = TrainConfig.read(source, tree, this::registry);
        PrintWriter err = root.spec.commandLine().getErr();
        PrintWriter stdout = root.spec.commandLine().getOut();
        if (validateOnly) {
            stdout.println(source + ": valid. Resolved configuration:");
            stdout.print(ConfigFiles.toYaml(config.toTree()));
            stdout.flush();
            return 0;
        }
        err.println("dpo train: " + source + " → " + config.output() + " (objective "
                + String.join(" + ", config.objectives().stream().map(TrainConfig.ObjectiveSpec::id).toList()) + ")");
        err.flush();
        TrainJob.Summary s = new TrainJob(config, new TrainJob.Options(resume, overwrite,
                cache), err).run();
        printSummary(stdout, s);
        return 0;
    }

    private ObjectiveRegistry registry(List<Path> plugins) {
        if (plugins.isEmpty()) {
            return root.registry();
        }
        // A plugin is trusted code that runs as soon as it is loaded: say so when a configuration file asks for it.
        PrintWriter err = root.spec.commandLine().getErr();
        for (Path p : plugins) {
            err.println("loading plugin code from " + p.toAbsolutePath().normalize() + " (plugins: in "
                    + (configFile == null ? "the configuration" : configFile) + "; plugins are trusted code)");
        }
        err.flush();
        List<Path> all = new ArrayList<>(root.pluginPaths());
        all.addAll(plugins);
        return ObjectiveRegistry.discover(DpoCommand.class.getClassLoader(), all);
    }

    /** The embedded default configuration as a tree. */
    public static ObjectNode defaultTree() throws java.io.IOException {
        try (InputStream in = TrainCommand.class.getResourceAsStream(DEFAULT_CONFIG)) {
            return ConfigFiles.parse("the embedded default configuration", new String(in.readAllBytes(),
                    StandardCharsets.UTF_8));
        }
    }

    private static void printSummary(PrintWriter out, TrainJob.Summary s) {
        out.println();
        out.printf(Locale.ROOT, "trained %d steps in %s; run folder %s%n", s.steps(), ProgressBar.clock(s.seconds()),
                s.output());
        out.println("held-out metric                 start      end");
        for (String k : List.of("eval/rewards/accuracies", "eval/rewards/margins", "eval/loss", "eval/sample_reward",
                "eval/sample_length")) {
            Double a = s.firstEvaluation() == null ? null : s.firstEvaluation().get(k);
            Double b = s.lastEvaluation() == null ? null : s.lastEvaluation().get(k);
            if (a != null || b != null) {
                out.printf(Locale.ROOT, "  %-28s %8s %8s%n", k.substring("eval/".length()), fmt(a), fmt(b));
            }
        }
        if (!s.warnings().isEmpty()) {
            out.println("diagnostics:");
            s.warnings().forEach(w -> out.println("  - " + w));
        }
        String layout = s.model().endsWith("adapter") ? " (LoRA adapter, PEFT format), " : " (Hugging Face layout), ";
        out.println("files: " + s.output().resolve("metrics.jsonl") + ", " + s.model() + layout
                + s.output().resolve("checkpoints") + ", " + s.output().resolve("summary.json"));
        java.nio.file.Path report = s.output().resolve(io.dpo4j.bench.report.RunReport.FILE);
        if (java.nio.file.Files.isRegularFile(report)) {
            out.println("report: " + report + " (curves, held-out metrics, diagnostics; dpo report " + s.output()
                    + " renders it again)");
        }
        out.flush();
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

}
