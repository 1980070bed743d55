package io.dpo4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.data.DropReason;
import io.dpo4j.core.data.PairedExample;
import io.dpo4j.core.data.RowTrace;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.data.TokenizedUnpaired;
import io.dpo4j.core.tokenizer.TextTokenizer;
import io.dpo4j.cli.DataPipeline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code dpo data inspect}: what the model sees of each row — the rendered prompt and responses with
 * their special tokens, the ids and tokens, which positions are scored, what truncation did — and a
 * summary of all rows, through exactly the pipeline {@code dpo train} and {@code dpo score} use.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show what the model sees of preference data: per row the prompt and responses as the chat "
                + "template renders them (special tokens visible), their token ids and tokens, the scored positions "
                + "and what truncation did; then a summary (rows kept, truncated, dropped with reasons, length "
                + "histograms, rows that tokenise differently when prompt and response are joined).",
                "With --json, one JSON object per row (prompt_text, chosen_text, rejected_text or completion_text, "
                        + "prompt_ids, chosen_ids, rejected_ids or completion_ids) on stdout, the summary on stderr."})
public final class DataInspectCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    DataCommand parent;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Preference data files (any format dpo train reads).")
    List<Path> files;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "The model folder whose tokenizer, chat template and limits apply (no weights are read).")
    Path model;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A dpo train configuration whose data section (format, on_bad_row, lengths, add_bos) applies.")
    Path config;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "3",
            description = "Rows shown in full (the summary covers all rows; with --json every row is written). "
                    + "Default: ${DEFAULT-VALUE}.")
    int rows;

    @Option(names = "--json", description = "One JSON object per row on stdout; the summary goes to stderr.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (rows < 0) {
            throw new io.dpo4j.core.DpoException("--rows " + rows + ": expected 0 or more");
        }
        DpoCommand root = parent.root;
        PrintWriter out = root.spec.commandLine().getOut();
        PrintWriter err = root.spec.commandLine().getErr();
        PrintWriter summary = json ? err : out;
        TrainConfig.Data settings = DataPipeline.settings(config, Registries.of(root));
        try (DataPipeline pipeline = DataPipeline.open(model, settings, false)) {
            DataPipeline.Result result = pipeline.tokenize(files, summary);
            if (json) {
                for (DataPipeline.Row row : result.rows()) {
                    out.println(JSON.writeValueAsString(RowJson.describe(row)));
                }
            } else {
                out.println();
                out.println("model " + model + ": " + pipeline.tokenizer().settings().chatTemplateSource()
                        .map(s -> "chat template from " + s).orElse("no chat template") + "; special tokens "
                        + specials(pipeline) + "; plain-text prompts get " + (settings.addBos() ? "the BOS" : "no BOS")
                        + " (data.add_bos), responses end with EOS (appended unless already last)");
                int shown = 0;
                for (DataPipeline.Row row : result.rows()) {
                    if (shown++ >= rows) {
                        break;
                    }
                    printRow(out, row, pipeline.tokenizer());
                }
                if (result.rows().size() > rows) {
                    out.println();
                    out.println("(" + (result.rows().size() - rows) + " more rows not shown; --rows N shows more, "
                            + "--json writes all)");
                }
            }
            printSummary(summary, result, pipeline);
            out.flush();
            err.flush();
        }
        return 0;
    }

    private static String specials(DataPipeline p) {
        var s = p.tokenizer().settings();
        return "bos " + s.bosToken().map(RowText::quote).orElse("none") + (p.special().bos().isPresent() ? " ("
                + p.special().bos().getAsInt() + ")" : "") + ", eos " + s.eosToken().map(RowText::quote).orElse("?")
                + " (" + p.special().eos() + "), pad " + p.special().pad();
    }

    private static void printRow(PrintWriter out, DataPipeline.Row row, TextTokenizer tokenizer) {
        RowTrace t = row.trace();
        boolean paired = row.example() instanceof PairedExample;
        out.println();
        out.println("── " + t.source() + (t.id().equals(t.source()) ? "" : " (id " + t.id() + ")") + " · "
                + (paired ? "pair" : "unpaired, label " + ((io.dpo4j.core.data.UnpairedExample) row.example())
                .desirable()) + (row.example().isConversation() ? ", conversation" : ", text")
                + " " + "─".repeat(20));
        if (t.kept() == null) {
            out.println("  DROPPED: " + t.dropped().description() + (t.message() == null ? "" : ": " + t.message()));
        }
        if (t.promptText() == null) {
            return;
        }
        TokenIds prompt;
        List<TokenIds> responses = new ArrayList<>();
        if (t.kept() instanceof TokenizedPair p) {
            prompt = p.prompt();
            responses.add(p.chosen());
            responses.add(p.rejected());
        } else if (t.kept() instanceof TokenizedUnpaired u) {
            prompt = u.prompt();
            responses.add(u.completion());
        } else {
            prompt = t.promptIds();
            responses.addAll(t.responseIds());
        }
        List<String> sides = paired ? List.of("chosen", "rejected") : List.of("completion");
        int full = t.promptIds().length();
        out.println("  prompt: " + prompt.length() + " tokens, not scored (positions 0–" + (prompt.length() - 1) + ")"
                + (prompt.length() < full ? " — CUT from " + full + " tokens, keeping the end" : ""));
        out.println("    text   " + RowText.quote(t.promptText()));
        out.println("    ids    " + RowText.ids(prompt));
        out.println("    tokens " + RowText.tokens(prompt, tokenizer));
        for (int i = 0; i < responses.size() && i < sides.size(); i++) {
            TokenIds r = responses.get(i);
            int untruncated = i < t.responseIds().size() ? t.responseIds().get(i).length() : r.length();
            String joined = i < t.joinedDiffers().size() && t.joinedDiffers().get(i)
                    ? "; tokenises differently when joined to the prompt" : "";
            out.println("  " + sides.get(i) + ": " + r.length() + " tokens, all scored (positions " + prompt.length()
                    + "–" + (prompt.length() + r.length() - 1) + ", each predicted from the position before)"
                    + (r.length() < untruncated ? " — CUT from " + untruncated + " tokens, keeping the start (EOS lost)"
                    : "") + joined);
            String text = i < t.responseTexts().size() ? t.responseTexts().get(i) : "";
            boolean appended = tokenizer.encode(text).length < untruncated;
            out.println("    text   " + RowText.quote(text) + (appended ? " + EOS (appended)" : " (ends with its own EOS)"));
            out.println("    ids    " + RowText.ids(r));
            out.println("    tokens " + RowText.tokens(r, tokenizer));
        }
    }

    private static void printSummary(PrintWriter out, DataPipeline.Result result, DataPipeline pipeline) {
        out.println();
        out.println("summary");
        long rowsTotal = result.rows().size();
        long kept = result.rows().stream().filter(DataPipeline.Row::kept).count();
        long truncated = result.pairs().truncated() + result.unpaired().truncated();
        Map<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
        result.pairs().dropped().forEach((k, v) -> dropped.merge(k, v, Long::sum));
        result.unpaired().dropped().forEach((k, v) -> dropped.merge(k, v, Long::sum));
        out.printf(Locale.ROOT, "  rows: %d read, %d skipped while loading, %d tokenised: %d kept (%d truncated), %d dropped%s%n",
                result.loaded().rowsRead(), result.loaded().skipped(), rowsTotal, kept, truncated,
                rowsTotal - kept, dropped.isEmpty() ? "" : " (" + String.join(", ", dropped.entrySet().stream()
                        .map(e -> e.getKey().description() + " " + e.getValue()).toList()) + ")");
        out.println("  limits: " + pipeline.lengths().describe() + " (max_position_embeddings="
                + (pipeline.maxPositions() == Integer.MAX_VALUE ? "unknown" : pipeline.maxPositions()) + ")");
        long joined = result.pairs().joinedDifferently() + result.unpaired().joinedDifferently();
        out.println("  joined: " + joined + " of " + kept + " kept rows tokenise differently when prompt and response "
                + "are joined into one text (they are tokenised apart, as TRL does)");
        List<Integer> prompts = new ArrayList<>();
        List<Integer> responses = new ArrayList<>();
        for (DataPipeline.Row row : result.rows()) {
            if (row.trace().kept() instanceof TokenizedPair p) {
                prompts.add(p.prompt().length());
                responses.add(p.chosen().length());
                responses.add(p.rejected().length());
            } else if (row.trace().kept() instanceof TokenizedUnpaired u) {
                prompts.add(u.prompt().length());
                responses.add(u.completion().length());
            }
        }
        RowText.histogram(out, "prompt tokens", prompts);
        RowText.histogram(out, "response tokens", responses);
    }
}
