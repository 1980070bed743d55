package io.dpo4j.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.dpo4j.core.Versions;
import io.dpo4j.core.registry.LoadProblem;
import io.dpo4j.cli.ObjectiveBindings;
import io.dpo4j.core.registry.ObjectiveRegistry;
import io.dpo4j.core.registry.ObjectiveSelector;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root {@code dpo} command: global options, and the objective registry its subcommands share. */
@Command(name = "dpo", mixinStandardHelpOptions = true, versionProvider = DpoCommand.Version.class,
        description = "Preference optimisation of language models on the JVM: DPO, IPO, KTO, ORPO, SimPO "
                + "and plug-in objectives.",
        subcommands = {TrainCommand.class, ObjectivesCommand.class, LossCommand.class, ScoreCommand.class, DataCommand.class,
                SftCommand.class, GenerateCommand.class, MergeCommand.class,
                CommandLine.HelpCommand.class})
public final class DpoCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--plugins", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Folder of objective plugin jars (or one jar) to load; repeatable.")
    List<Path> plugins = new ArrayList<>();

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Show stack traces of errors and more detail while running.")
    boolean verbose;

    private ObjectiveRegistry registry;
    private Injector injector;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** True when {@code --verbose} was given. */
    public boolean verbose() {
        return verbose;
    }

    /** The plugin folders given with {@code --plugins}. */
    public List<Path> pluginPaths() {
        return List.copyOf(plugins);
    }

    /**
     * The objectives on the class path and in the plugin folders, discovered once. Providers that
     * could not be loaded are reported on standard error as warnings (they do not stop other work).
     */
    public synchronized ObjectiveRegistry registry() {
        if (registry == null) {
            registry = ObjectiveRegistry.discover(DpoCommand.class.getClassLoader(), plugins);
            PrintWriter err = spec.commandLine().getErr();
            for (LoadProblem p : registry.problems()) {
                err.println("warning: objective provider refused: " + p);
            }
            err.flush();
        }
        return registry;
    }

    /** The Guice injector holding the objective bindings. */
    public synchronized Injector injector() {
        if (injector == null) {
            injector = Guice.createInjector(new ObjectiveBindings(registry()));
        }
        return injector;
    }

    /** Selects and configures objectives by id. */
    public ObjectiveSelector selector() {
        return injector().getInstance(ObjectiveSelector.class);
    }

    /** The {@code --version} text. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dpo4j " + Versions.dpo4j(), "DJL " + Versions.djl() + ", PyTorch "
                    + Versions.pytorch() + " (CPU), Java " + Versions.java()};
        }
    }
}
