package io.dpo4j.core.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The reliability suite's fault table: every {@link FaultLedger} fragment of the build (under each
 * module's {@code target/fault-ledger/}) assembled into one Markdown table, in the order of {@link
 * #AREAS}. Each publishing test rewrites {@code target/fault-table.md} of its module; with {@code
 * -D}{@value #UPDATE_PROPERTY}{@code =true}, and once every area is present, it also rewrites the
 * committed {@code docs/fault-table.md} (see docs/reliability.md for the command).
 */
public final class FaultTable {

    /** The suite's areas, in the table's order. */
    public static final List<String> AREAS = List.of("data", "configuration", "preflight", "hostile input",
            "overwrite safety", "numeric faults", "resource faults", "checkpoints", "interruption");

    /** The system property that lets a test run rewrite {@link #DOCS_FILE}. */
    public static final String UPDATE_PROPERTY = "dpo4j.faultTable.update";

    /** The committed table, relative to the project's root. */
    public static final String DOCS_FILE = "docs/fault-table.md";

    private static final ObjectMapper JSON = new ObjectMapper();

    private FaultTable() {
    }

    /** One published ledger. */
    public record Fragment(String area, String source, List<FaultLedger.Row> rows) {
    }

    /** The folder of the module whose tests are running (Maven's {@code basedir}). */
    public static Path moduleDir() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    }

    /** The project's root: the module's parent when it holds the docs, else the module itself. */
    public static Path rootDir() {
        Path module = moduleDir();
        Path parent = module.getParent();
        return parent != null && Files.isDirectory(parent.resolve("docs")) && Files.isRegularFile(parent.resolve("pom.xml"))
                ? parent : module;
    }

    /** Where a module's fragments go. */
    public static Path fragmentFolder(Path module) {
        return module.resolve("target").resolve("fault-ledger");
    }

    /** Every fragment of the root's modules (and of the root itself), modules in the reactor's order. */
    public static List<Fragment> readFragments(Path root) {
        List<Path> folders = new ArrayList<>();
        folders.add(fragmentFolder(root));
        List<String> order = moduleOrder(root);
        try (Stream<Path> modules = Files.list(root)) {
            modules.filter(Files::isDirectory).sorted(Comparator.comparingInt((Path m) -> {
                int i = order.indexOf(m.getFileName().toString());
                return i < 0 ? order.size() : i;
            }).thenComparing(Comparator.naturalOrder())).forEach(m -> folders.add(fragmentFolder(m)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Fragment> out = new ArrayList<>();
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.list(folder)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    out.add(read(f));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The modules listed in the root's pom.xml, in order (empty without one). */
    static List<String> moduleOrder(Path root) {
        Path pom = root.resolve("pom.xml");
        List<String> out = new ArrayList<>();
        if (Files.isRegularFile(pom)) {
            try {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>")
                        .matcher(Files.readString(pom, StandardCharsets.UTF_8));
                while (m.find()) {
                    out.add(m.group(1));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static Fragment read(Path file) throws IOException {
        JsonNode n = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        List<FaultLedger.Row> rows = new ArrayList<>();
        for (JsonNode r : n.get("rows")) {
            rows.add(new FaultLedger.Row(r.get("fault").asText(), r.get("description").asText(), counts(r.get("outcomes")),
                    counts(r.get("losses"))));
        }
        return new Fragment(n.get("area").asText(), n.get("source").asText(), rows);
    }

    private static Map<String, Long> counts(JsonNode n) {
        Map<String, Long> out = new TreeMap<>();
        if (n != null) {
            n.properties().forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
        }
        return out;
    }

    /** The areas present among the fragments. */
    public static Set<String> areas(List<Fragment> fragments) {
        Set<String> out = new LinkedHashSet<>();
        fragments.forEach(f -> out.add(f.area()));
        return out;
    }

    /** The table of the fragments: areas in {@link #AREAS} order (others after), fragments of an area as given. */
    public static String markdown(List<Fragment> fragments) {
        List<Fragment> sorted = new ArrayList<>(fragments);
        sorted.sort(Comparator.comparingInt((Fragment f) -> AREAS.contains(f.area()) ? AREAS.indexOf(f.area()) : AREAS.size())
                .thenComparing(Fragment::area));
        StringBuilder s = new StringBuilder();
        s.append("<!-- Generated by the reliability tests; do not edit by hand. The command that regenerates it is in "
                + "docs/reliability.md. -->\n\n");
        s.append("| area | fault class | what was tried | cases | outcome (cases) | lost |\n|---|---|---|---:|---|---|\n");
        long classes = 0;
        long cases = 0;
        List<String> lost = new ArrayList<>();
        Map<String, List<String>> sources = new LinkedHashMap<>();
        for (Fragment f : sorted) {
            sources.computeIfAbsent(f.area(), a -> new ArrayList<>()).add(f.source());
            for (FaultLedger.Row r : f.rows()) {
                classes++;
                cases += r.cases();
                if (!r.losses().isEmpty()) {
                    lost.add(f.area() + " / " + r.fault());
                }
                s.append("| ").append(FaultLedger.escape(f.area())).append(" | ").append(FaultLedger.escape(r.fault()))
                        .append(" | ").append(FaultLedger.escape(r.description())).append(" | ").append(r.cases())
                        .append(" | ").append(FaultLedger.outcomeCell(r)).append(" | ").append(FaultLedger.escape(r.lost()))
                        .append(" |\n");
            }
        }
        s.append('\n').append(String.format(Locale.ROOT, "%d fault classes, %,d cases: ", classes, cases))
                .append(lost.isEmpty() ? "nothing lost in any of them." : "something was lost in " + lost.size() + ": "
                        + String.join(", ", lost) + ".").append("\n\nTests, by area:\n\n");
        sources.forEach((area, list) -> s.append("- ").append(area).append(": ").append(String.join(", ", list)).append('\n'));
        return s.toString();
    }

    /**
     * Reassembles the table from every fragment of the build: always into the module's {@code
     * target/fault-table.md}; into {@link #DOCS_FILE} too when {@value #UPDATE_PROPERTY} is true and
     * every area of {@link #AREAS} has published.
     */
    public static void regenerate() {
        Path root = rootDir();
        List<Fragment> fragments = readFragments(root);
        String table = markdown(fragments);
        try {
            Path target = moduleDir().resolve("target").resolve("fault-table.md");
            Files.createDirectories(target.getParent());
            Files.writeString(target, table, StandardCharsets.UTF_8);
            if (Boolean.getBoolean(UPDATE_PROPERTY) && areas(fragments).containsAll(AREAS)) {
                Files.writeString(root.resolve(DOCS_FILE), table, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
