package io.dpo4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dpo4j.api.Hyperparameter;
import io.dpo4j.api.ObjectiveRequirements;
import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.api.Semantics;
import io.dpo4j.api.Statistic;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.registry.LoadProblem;
import io.dpo4j.core.registry.ObjectiveRegistry;
import io.dpo4j.core.registry.RegisteredObjective;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code dpo objectives}: every discovered objective with its origin, requirements and hyperparameters. */
@Command(name = "objectives", mixinStandardHelpOptions = true,
        description = "List every discovered objective: id, origin (built-in jar or plugin), requirements, "
                + "hyperparameters with defaults and valid ranges.")
public final class ObjectivesCommand implements Callable<Integer> {

    @ParentCommand
    DpoCommand root;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--strict", description = "Exit with status 1 when any provider could not be loaded.")
    boolean strict;

    @Override
    public Integer call() throws Exception {
        ObjectiveRegistry registry = root.registry();
        PrintWriter out = root.spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(asJson(registry)));
        } else {
            printText(registry, out);
        }
        out.flush();
        if (strict && !registry.problems().isEmpty()) {
            throw new DpoException(registry.problems().size() + " objective provider(s) could not be loaded (see above)");
        }
        return 0;
    }

    private static void printText(ObjectiveRegistry registry, PrintWriter out) {
        List<RegisteredObjective> all = registry.objectives();
        out.println(all.size() + (all.size() == 1 ? " objective" : " objectives") + " available:");
        for (RegisteredObjective r : all) {
            PreferenceObjective o = r.objective();
            ObjectiveRequirements req = o.requirements();
            out.println();
            out.println(o.id() + "  —  " + o.description());
            out.println("    origin:      " + r.origin().describe());
            out.println("    class:       " + o.getClass().getName());
            out.println("    data:        " + req.layout().label()
                    + (req.needsReference() ? ", needs a reference model" : ", reference-free")
                    + (req.needsMismatchedPairs() ? ", mismatched KL pairs" : "")
                    + (req.batchCoupled() ? ", batch-coupled (gradient accumulation changes the result)" : ""));
            out.println("    reads:       " + String.join(", ", req.reads().stream().map(Statistic::key).toList()));
            Semantics semantics = o.configureDefaults().semantics();
            if (!semantics.isMonotone()) {
                out.println("    semantics:   " + semantics.describe());
            }
            List<Hyperparameter> hs = o.hyperparameters();
            if (hs.isEmpty()) {
                out.println("    parameters:  (none)");
            } else {
                int nameWidth = hs.stream().mapToInt(h -> h.name().length()).max().orElse(4);
                int defaultWidth = hs.stream().mapToInt(h -> h.defaultText().length()).max().orElse(4);
                int ruleWidth = hs.stream().mapToInt(h -> h.rule().length()).max().orElse(4);
                out.println("    parameters:");
                for (Hyperparameter h : hs) {
                    out.printf("      %-" + nameWidth + "s = %-" + defaultWidth + "s  %-" + ruleWidth + "s  %s%n",
                            h.name(), h.defaultText(), h.rule(), h.description());
                }
            }
        }
        if (!registry.problems().isEmpty()) {
            out.println();
            out.println(registry.problems().size() + " provider(s) could not be used:");
            for (LoadProblem p : registry.problems()) {
                out.println("  - " + p);
            }
        }
    }

    private static Map<String, Object> asJson(ObjectiveRegistry registry) {
        List<Object> objectives = new ArrayList<>();
        for (RegisteredObjective r : registry.objectives()) {
            PreferenceObjective o = r.objective();
            ObjectiveRequirements req = o.requirements();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", o.id());
            m.put("description", o.description());
            m.put("origin", r.origin().plugin() ? "plugin" : "built-in");
            m.put("location", r.origin().location().map(Object::toString).orElse(null));
            m.put("class", o.getClass().getName());
            m.put("layout", req.layout().label());
            m.put("needs_reference", req.needsReference());
            m.put("reads", req.reads().stream().map(Statistic::key).toList());
            m.put("batch_coupled", req.batchCoupled());
            Semantics semantics = o.configureDefaults().semantics();
            Map<String, Object> sem = new LinkedHashMap<>();
            sem.put("when_chosen_rises", semantics.whenChosenRises().label());
            sem.put("when_rejected_rises", semantics.whenRejectedRises().label());
            sem.put("reason", semantics.reason());
            m.put("semantics", sem);
            List<Object> params = new ArrayList<>();
            for (Hyperparameter h : o.hyperparameters()) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("name", h.name());
                p.put("type", h.type().name().toLowerCase(java.util.Locale.ROOT));
                p.put("default", h.defaultValue());
                p.put("rule", h.rule());
                if (h.type() == Hyperparameter.Type.CHOICE) {
                    p.put("choices", h.choices());
                }
                p.put("description", h.description());
                params.add(p);
            }
            m.put("hyperparameters", params);
            objectives.add(m);
        }
        List<Object> problems = new ArrayList<>();
        for (LoadProblem p : registry.problems()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", p.source());
            m.put("class", p.className());
            m.put("id", p.id().orElse(null));
            m.put("message", p.message());
            problems.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("objectives", objectives);
        root.put("problems", problems);
        return root;
    }
}
