package io.dpo4j.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.InvalidHyperparametersException;
import io.dpo4j.api.check.LossCase;
import io.dpo4j.api.check.LossCaseEvaluator;
import io.dpo4j.api.check.LossCaseReader;
import io.dpo4j.api.check.LossCaseResult;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.registry.UnknownObjectiveException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code dpo loss}: the loss of an objective on a batch of per-sequence statistics, and its gradient
 * with respect to every policy statistic, computed in float64 and printed as JSON. The tool to check
 * an objective against another implementation by hand.
 */
@Command(name = "loss", mixinStandardHelpOptions = true,
        description = "Compute an objective's loss and gradients (float64) for a JSON batch of statistics and "
                + "print {\"loss\", \"gradients\", \"metrics\"} as JSON.")
public final class LossCommand implements Callable<Integer> {

    @ParentCommand
    DpoCommand root;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE",
            description = "Loss case: {\"objective\", \"params\", \"pairs\"} or {\"objective\", \"params\", "
                    + "\"examples\", \"kl\"}.")
    Path input;

    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE",
            description = "Hyperparameter, overriding the file's params; repeatable.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--objective", paramLabel = "ID", description = "Objective id, overriding the file's.")
    String objective;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float64",
            description = "Precision: float64 (default) or float32.")
    String dtype;

    @Override
    public Integer call() throws Exception {
        DataType type = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "float64", "double" -> DataType.FLOAT64;
            case "float32", "float" -> DataType.FLOAT32;
            default -> throw new DpoException("--dtype " + dtype + ": expected float64 or float32");
        };
        LossCase lossCase = LossCaseReader.read(input);
        String id = objective != null ? objective : lossCase.objective();
        Map<String, Object> merged = new LinkedHashMap<>(lossCase.params());
        merged.putAll(params);
        ConfiguredObjective configured;
        try {
            configured = root.selector().configure(id, merged);
        } catch (UnknownObjectiveException e) {
            throw new DpoException((objective != null ? "--objective: " : input + ": field objective: ")
                    + e.getMessage(), e);
        } catch (InvalidHyperparametersException e) {
            // one line, each field named where it was given: --param KEY or the file's params.KEY
            throw new DpoException((e.violations().size() == 1 ? "invalid parameter"
                    : e.violations().size() + " invalid parameters") + " for objective '"
                    + e.objectiveId() + "': " + e.violations().stream().map(v -> (params.containsKey(v.field())
                            ? "--param " : input + ": field params.") + v).collect(Collectors.joining("; ")), e);
        }
        LossCaseResult result;
        try (NDManager manager = NDManager.newBaseManager()) {
            result = LossCaseEvaluator.evaluate(configured, lossCase, manager, type);
        }
        PrintWriter err = root.spec.commandLine().getErr();
        result.warnings().forEach(w -> err.println("warning: " + w));
        err.flush();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("objective", configured.id());
        json.put("params", configured.parameters().asMap());
        json.put("dtype", type == DataType.FLOAT64 ? "float64" : "float32");
        json.put("loss", finite(result.loss()));
        json.put("gradients", result.gradients());
        Map<String, Object> metrics = new LinkedHashMap<>();
        result.metrics().forEach((k, v) -> metrics.put(k, finite(v)));
        json.put("metrics", metrics);
        json.put("warnings", result.warnings());
        PrintWriter out = root.spec.commandLine().getOut();
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
        out.flush();
        return 0;
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : String.valueOf(v);
    }
}
