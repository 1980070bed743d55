package io.dpo4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code dpo data}: commands about preference data files ({@code inspect}). */
@Command(name = "data", mixinStandardHelpOptions = true, subcommands = {DataInspectCommand.class},
        description = "Preference data: 'dpo data inspect' shows what the model sees of each row.")
public final class DataCommand implements Runnable {

    @ParentCommand
    DpoCommand root;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
