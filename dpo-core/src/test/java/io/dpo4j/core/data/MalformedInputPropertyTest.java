package io.dpo4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated malformed data files (jqwik): whatever is wrong with a row, loading ends either in a
 * {@link DpoException} naming file, line and (for a field's fault) the field, or — under
 * {@code on_bad_row: skip} — in a skip counted under the right reason; never another exception,
 * and kept + skipped always equals the non-blank rows. Every case is counted in
 * {@link FaultLedger#DATA}, written to {@code target/fault-table-data.md} after the properties.
 */
@Label("Malformed input: every generated fault ends in a DpoException naming file and line, or a counted skip")
class MalformedInputPropertyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static Path dir;

    /** The classes of generated lines, as the fault table names them. */
    enum Fault {
        VALID("valid row", "a well-formed row, sometimes with an id, texts with Unicode, quotes, tabs and newlines"),
        BLANK("blank line", "an empty or whitespace-only line"),
        CRLF("CRLF line end", "a valid row ended by \\r\\n"),
        FILE_BOM("byte-order mark at the file's start", "a UTF-8 BOM before the first line"),
        LINE_BOM("byte-order mark at a line's start", "a valid row preceded by a UTF-8 BOM (as in concatenated files)"),
        EXTRA_FIELDS("extra fields", "a valid row with unknown fields (score_chosen, source, meta, tags)"),
        LONG_STRING("very long string", "a valid row with a text of 20,000 to 100,000 characters"),
        TRUNCATED("truncated line", "a valid row cut short after a random character"),
        INVALID_JSON("invalid JSON", "a missing colon, a trailing comma, single quotes, or content after the object"),
        NOT_AN_OBJECT("not an object", "a JSON array, string, number, boolean or null as the row"),
        WRONG_TYPE("wrong JSON type", "a required field (or the id) holding a number, boolean, object, list or null"),
        MISSING_FIELD("missing field", "a required field left out"),
        EMPTY_STRING("empty string", "a required text, or the id, set to \"\" (or a conversation to [])"),
        INVALID_UTF8("invalid UTF-8", "0xFF, a lone lead or continuation byte, an overlong form, an encoded surrogate or a cut 4-byte sequence, anywhere in the row"),
        DUPLICATE_KEY("duplicate key", "a field given twice in one object"),
        LABEL_NOT_BOOLEAN("label not a boolean", "an unpaired row whose label is \"true\", 1, 0, null, \"yes\" or [true]"),
        NO_SHARED_PROMPT("no implicit prompt", "chosen and rejected without a prompt that share no beginning, or are identical"),
        BAD_MESSAGE("bad message", "a conversation message with no role, an unknown role, non-string content, or that is not an object"),
        BROKEN_ARRAY("broken JSON array", "a JSON array file cut short at a random character");

        final String name;
        final String description;

        Fault(String name, String description) {
            this.name = name;
            this.description = description;
        }
    }

    /** A field of a generated row as JSON text (a list, so that keys can repeat). */
    record Field(String name, String json) {
    }

    /**
     * One generated line.
     *
     * @param fault its class
     * @param bytes its content, without line end
     * @param field the field a DpoException must name, or null
     * @param reasons the reasons a skip may be counted under; empty when the row must be kept
     * @param ignored fields that must be reported as ignored
     * @param ending "\n" or "\r\n"
     */
    record Line(Fault fault, byte[] bytes, String field, Set<BadRowReason> reasons, Set<String> ignored, String ending) {
        boolean blank() {
            return fault == Fault.BLANK;
        }

        boolean bad() {
            return !reasons.isEmpty();
        }

        Line endingWith(String newEnding) {
            return new Line(fault, bytes, field, reasons, ignored, newEnding);
        }
    }

    /** A generated file: its lines, whether it starts with a BOM, whether the last line has its line end. */
    record GeneratedFile(List<Line> lines, boolean bom, boolean finalNewline, DataFormat format) {
        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (bom) {
                out.writeBytes(BOM);
            }
            for (int i = 0; i < lines.size(); i++) {
                out.writeBytes(lines.get(i).bytes());
                if (i < lines.size() - 1 || finalNewline) {
                    out.writeBytes(lines.get(i).ending().getBytes(StandardCharsets.US_ASCII));
                }
            }
            return out.toByteArray();
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(format.label()).append(bom ? ", BOM" : "").append(finalNewline ? "" : ", no final newline");
            for (Line l : lines) {
                String text = new String(l.bytes(), StandardCharsets.UTF_8);
                s.append("\n  ").append(l.fault()).append(": ").append(text.length() > 120 ? text.substring(0, 120) + "…" : text);
            }
            return s.toString();
        }
    }

    @BeforeContainer
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("dpo4j-malformed");
        for (Fault f : Fault.values()) {
            FaultLedger.DATA.declare(f.name, f.description);
        }
    }

    @AfterContainer
    static void writeFaultTable() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Path target = Path.of(System.getProperty("basedir", "."), "target", "fault-table-data.md");
        FaultLedger.DATA.write(target, MalformedInputPropertyTest.class.getSimpleName() + " (dpo-core)");
    }

    // ---- the properties -------------------------------------------------------------------------

    @Property(tries = 400)
    @Label("paired JSON Lines: skip counts every bad row by reason; error stops at the first bad row, naming file, line and field")
    void pairedJsonLines(@ForAll("pairedFiles") GeneratedFile file) {
        check(file, ".jsonl");
    }

    @Property(tries = 150)
    @Label("implicit-prompt JSON Lines: rows that share no beginning, or leave nothing after it, are caught too")
    void implicitPromptJsonLines(@ForAll("implicitPromptFiles") GeneratedFile file) {
        check(file, ".jsonl");
    }

    @Property(tries = 200)
    @Label("unpaired JSON Lines: labels that are not booleans and the other faults are caught the same way")
    void unpairedJsonLines(@ForAll("unpairedFiles") GeneratedFile file) {
        check(file, ".jsonl");
    }

    @Property(tries = 200)
    @Label("conversational JSON Lines: malformed messages are caught with the message's field path")
    void conversationalJsonLines(@ForAll("conversationalFiles") GeneratedFile file) {
        check(file, ".jsonl");
    }

    @Property(tries = 150)
    @Label("JSON arrays: row faults are skipped and counted; a cut-off array stops loading naming file and line")
    void jsonArrays(@ForAll("arrayFiles") GeneratedFile file, @ForAll("cuts") double cut, @ForAll boolean broken) {
        List<Line> rows = file.lines().stream().filter(l -> !l.blank()).toList();
        StringBuilder json = new StringBuilder("[\n");
        for (int i = 0; i < rows.size(); i++) {
            json.append(new String(rows.get(i).bytes(), StandardCharsets.UTF_8)).append(i < rows.size() - 1 ? ",\n" : "\n");
        }
        // Cut somewhere before the closing bracket, so a broken array is always incomplete.
        String text = broken ? cut(json.toString(), cut) : json.append("]\n").toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (file.bom()) {
            out.writeBytes(BOM);
        }
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        Path path = write(".json", out.toByteArray());
        for (BadRowPolicy policy : BadRowPolicy.values()) {
            LoadOptions options = new LoadOptions(file.format(), policy);
            if (broken) {
                try {
                    PreferenceDataLoader.load(path, options);
                    throw new AssertionError("a cut-off JSON array loaded");
                } catch (DpoException e) {
                    assertThat(e.getMessage()).matches(java.util.regex.Pattern.quote(path.toString()) + "(:\\d+)?: .*");
                    record(Fault.BROKEN_ARRAY, "stopped: DpoException naming the file" + (e.getMessage().startsWith(path + ":") ? " and line" : ""));
                }
                continue;
            }
            long bad = rows.stream().filter(Line::bad).count();
            if (policy == BadRowPolicy.ERROR && bad > 0) {
                try {
                    PreferenceDataLoader.load(path, options);
                    throw new AssertionError("a bad element loaded under on_bad_row: error");
                } catch (DpoException e) {
                    Line first = rows.stream().filter(Line::bad).findFirst().orElseThrow();
                    // Element i starts on line i + 2, after the line of the opening bracket.
                    assertThat(e.getMessage()).startsWith(path + ":" + (rows.indexOf(first) + 2) + ": ");
                    if (first.field() != null) {
                        assertThat(e.getMessage()).contains("field '" + first.field() + "'");
                    }
                    record(first.fault(), "stopped: DpoException naming file:line" + (first.field() != null ? " and field" : ""));
                }
            } else {
                LoadResult r = PreferenceDataLoader.load(path, options);
                assertThat(r.rowsRead()).isEqualTo(rows.size());
                assertThat(r.kept() + r.skipped()).isEqualTo(rows.size());
                assertThat(r.kept()).isEqualTo(rows.size() - bad);
                assertThat(r.skippedByReason()).isEqualTo(expectedReasons(rows, r));
            }
        }
    }

    /** Loads a generated JSON Lines file under both policies and checks every outcome. */
    private void check(GeneratedFile file, String extension) {
        Path path = write(extension, file.bytes());
        List<Line> rows = file.lines().stream().filter(l -> !l.blank()).toList();
        int firstBadLine = 0; // 1-based line number of the first bad row, 0 when there is none
        for (int i = 0; i < file.lines().size() && firstBadLine == 0; i++) {
            firstBadLine = file.lines().get(i).bad() ? i + 1 : 0;
        }
        // Skip: nothing escapes, every row is kept or counted under a reason it may have.
        LoadResult skipped = PreferenceDataLoader.load(path, new LoadOptions(file.format(), BadRowPolicy.SKIP));
        long bad = rows.stream().filter(Line::bad).count();
        assertThat(skipped.rowsRead()).as("rows read").isEqualTo(rows.size());
        assertThat(skipped.kept() + skipped.skipped()).as("kept + skipped").isEqualTo(rows.size());
        assertThat(skipped.kept()).as("kept").isEqualTo(rows.size() - bad);
        assertThat(skipped.skippedByReason()).isEqualTo(expectedReasons(rows, skipped));
        Set<String> ignored = new java.util.TreeSet<>();
        rows.forEach(l -> ignored.addAll(l.ignored()));
        assertThat(skipped.files().get(0).ignoredFields()).containsAll(ignored);
        for (Line l : file.lines()) {
            record(l.fault(), l.blank() ? "not a row: skipped silently, not counted"
                    : l.bad() ? "skipped: counted as " + reasonOf(l, skipped)
                    : l.ignored().isEmpty() ? "kept" : "kept; fields reported as ignored");
        }
        if (file.bom()) {
            record(Fault.FILE_BOM, "accepted");
        }
        // Error: the first bad row stops loading with its file, line and field.
        Line first = rows.stream().filter(Line::bad).findFirst().orElse(null);
        try {
            LoadResult r = PreferenceDataLoader.load(path, new LoadOptions(file.format(), BadRowPolicy.ERROR));
            assertThat(first).as("a bad row loaded under on_bad_row: error").isNull();
            assertThat(r.kept()).isEqualTo(rows.size());
        } catch (DpoException e) {
            assertThat(first).as("no bad row, yet: " + e.getMessage()).isNotNull();
            assertThat(e.getMessage()).startsWith(path + ":" + firstBadLine + ": ");
            if (first.field() != null) {
                assertThat(e.getMessage()).contains("field '" + first.field() + "'");
            }
            // The same words as the first skip message.
            assertThat(e.getMessage()).startsWith(skipped.skipMessages().get(0));
            record(first.fault(), "stopped: DpoException naming file:line" + (first.field() != null ? " and field" : ""));
        }
    }

    /** The skip counts the generated faults must produce (a truncated row may read as invalid or as cut short). */
    private static Map<BadRowReason, Long> expectedReasons(List<Line> rows, LoadResult result) {
        Map<BadRowReason, Long> expected = new EnumMap<>(BadRowReason.class);
        long ambiguous = 0;
        for (Line l : rows) {
            if (l.reasons().size() == 1) {
                expected.merge(l.reasons().iterator().next(), 1L, Long::sum);
            } else if (!l.reasons().isEmpty()) {
                ambiguous++;
            }
        }
        // Truncated rows: the split between the two reasons is the loader's; only their total is fixed.
        long truncated = result.skippedByReason().getOrDefault(BadRowReason.TRUNCATED_JSON, 0L);
        long invalid = result.skippedByReason().getOrDefault(BadRowReason.INVALID_JSON, 0L)
                - expected.getOrDefault(BadRowReason.INVALID_JSON, 0L);
        assertThat(truncated + invalid).as("truncated rows").isEqualTo(ambiguous);
        if (truncated > 0) {
            expected.put(BadRowReason.TRUNCATED_JSON, truncated);
        }
        if (invalid > 0) {
            expected.merge(BadRowReason.INVALID_JSON, invalid, Long::sum);
        }
        return expected;
    }

    private static String reasonOf(Line l, LoadResult result) {
        if (l.reasons().size() == 1) {
            return l.reasons().iterator().next().description();
        }
        return l.reasons().stream().filter(r -> result.skippedByReason().containsKey(r)).map(BadRowReason::description)
                .findFirst().orElse("?");
    }

    private static void record(Fault fault, String outcome) {
        FaultLedger.DATA.record(fault.name, fault.description, outcome);
    }

    private static Path write(String extension, byte[] bytes) {
        try {
            Path file = Files.createTempFile(dir, "generated", extension);
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- generators -----------------------------------------------------------------------------

    private static final List<String> WORDS = List.of("a", "Hello", "world", "Zürich", "日本語", "😀", "say \"hi\"",
            "back\\slash", "tab\there", "line\nbreak", "€5", "naïve", "{not json}", "[1,2]", "null", "   spaced");

    private static Arbitrary<String> text() {
        return Arbitraries.of(WORDS).list().ofMinSize(1).ofMaxSize(6).map(l -> String.join(" ", l));
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] render(List<Field> fields) {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < fields.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(json(fields.get(i).name())).append(": ").append(fields.get(i).json());
        }
        return s.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Arbitrary<List<Field>> withOptionalId(Arbitrary<List<Field>> rows) {
        Arbitrary<String> id = Arbitraries.oneOf(Arbitraries.integers().between(0, 1_000_000).map(i -> json("row-" + i)),
                Arbitraries.integers().between(0, 1_000_000).map(String::valueOf));
        return Combinators.combine(rows, id.optional()).as((fields, maybeId) -> {
            List<Field> out = new ArrayList<>(fields);
            maybeId.ifPresent(v -> out.add(new Field("id", v)));
            return out;
        });
    }

    private static Arbitrary<List<Field>> pairedRows() {
        return withOptionalId(Combinators.combine(text(), text(), text()).as((p, c, r) ->
                List.of(new Field("prompt", json(p)), new Field("chosen", json(c)), new Field("rejected", json(r)))));
    }

    private static Arbitrary<List<Field>> unpairedRows() {
        return withOptionalId(Combinators.combine(text(), text(), Arbitraries.of(true, false)).as((p, c, label) ->
                List.of(new Field("prompt", json(p)), new Field("completion", json(c)), new Field("label", json(label)))));
    }

    private static String messages(String role, String content) {
        return json(List.of(Map.of("role", role, "content", content)));
    }

    private static Arbitrary<List<Field>> conversationalRows() {
        return withOptionalId(Combinators.combine(text(), text(), text()).as((p, c, r) ->
                List.of(new Field("prompt", messages("user", p)), new Field("chosen", messages("assistant", c)),
                        new Field("rejected", messages("assistant", r)))));
    }

    private static Line line(Fault fault, List<Field> fields, String field, Set<BadRowReason> reasons) {
        return new Line(fault, render(fields), field, reasons, Set.of(), "\n");
    }

    private static Line kept(Fault fault, List<Field> fields) {
        return line(fault, fields, null, Set.of());
    }

    private static List<Field> replace(List<Field> fields, String name, String json) {
        return fields.stream().map(f -> f.name().equals(name) ? new Field(name, json) : f).toList();
    }

    private static List<Field> without(List<Field> fields, String name) {
        return fields.stream().filter(f -> !f.name().equals(name)).toList();
    }

    private static List<String> names(List<Field> fields) {
        return fields.stream().map(Field::name).toList();
    }

    /**
     * Row shapes: how rows of a format are generated, which fields they require, which hold texts,
     * and how a text is written into such a field (a string, or a one-message conversation).
     */
    record Shape(Arbitrary<List<Field>> rows, List<String> required, List<String> texts, Function<String, String> textValue) {
    }

    /** Lines of the fault classes that apply to rows of every format, leaving out {@code excluded}. */
    private static List<Tuple.Tuple2<Integer, Arbitrary<Line>>> commonLines(Shape shape, Set<Fault> excluded) {
        Arbitrary<List<Field>> rows = shape.rows();
        Map<Fault, Tuple.Tuple2<Integer, Arbitrary<Line>>> lines = new EnumMap<>(Fault.class);
        lines.put(Fault.VALID, Tuple.of(12, rows.map(f -> kept(Fault.VALID, f))));
        lines.put(Fault.BLANK, Tuple.of(3, Arbitraries.of("", " ", "\t", "   \t ").map(s ->
                new Line(Fault.BLANK, s.getBytes(StandardCharsets.US_ASCII), null, Set.of(), Set.of(), "\n"))));
        lines.put(Fault.CRLF, Tuple.of(2, rows.map(f -> kept(Fault.CRLF, f).endingWith("\r\n"))));
        lines.put(Fault.LINE_BOM, Tuple.of(1, rows.map(f -> {
            byte[] row = render(f);
            byte[] b = new byte[row.length + 3];
            System.arraycopy(BOM, 0, b, 0, 3);
            System.arraycopy(row, 0, b, 3, row.length);
            return new Line(Fault.LINE_BOM, b, null, Set.of(), Set.of(), "\n");
        })));
        Map<String, String> extraValues = Map.of("score_chosen", "7.5", "source", json("hh-rlhf"),
                "meta", "{\"lang\": \"de\", \"n\": [1, 2]}", "tags", "[\"a\", null]");
        lines.put(Fault.EXTRA_FIELDS, Tuple.of(2, Combinators.combine(rows, Arbitraries.of(extraValues.keySet()).set().ofMinSize(1))
                .as((f, extras) -> {
                    List<Field> out = new ArrayList<>(f);
                    extras.stream().sorted().forEach(e -> out.add(new Field(e, extraValues.get(e))));
                    return new Line(Fault.EXTRA_FIELDS, render(out), null, Set.of(), Set.copyOf(extras), "\n");
                })));
        lines.put(Fault.LONG_STRING, Tuple.of(1, Combinators.combine(rows, Arbitraries.of(shape.texts()),
                        Arbitraries.integers().between(4_000, 20_000))
                .as((f, name, n) -> kept(Fault.LONG_STRING, replace(f, name, shape.textValue().apply("long ".repeat(n)))))));
        lines.put(Fault.TRUNCATED, Tuple.of(2, Combinators.combine(rows, Arbitraries.doubles().between(0, 1)).as((f, at) ->
                new Line(Fault.TRUNCATED, cut(new String(render(f), StandardCharsets.UTF_8), at).getBytes(StandardCharsets.UTF_8), null,
                        Set.of(BadRowReason.TRUNCATED_JSON, BadRowReason.INVALID_JSON), Set.of(), "\n"))));
        lines.put(Fault.INVALID_JSON, Tuple.of(2, Combinators.combine(rows, Arbitraries.integers().between(0, 4)).as((f, kind) -> {
            String s = new String(render(f), StandardCharsets.UTF_8);
            String broken = switch (kind) {
                case 0 -> s.replaceFirst("\": ", "\" ");
                case 1 -> s.substring(0, s.length() - 1) + ", }";
                case 2 -> "{'" + s.substring(2).replaceFirst("\": ", "': ");
                case 3 -> s + " x";
                default -> s + " {\"prompt\": \"again\"}";
            };
            return new Line(Fault.INVALID_JSON, broken.getBytes(StandardCharsets.UTF_8), null, Set.of(BadRowReason.INVALID_JSON), Set.of(), "\n");
        })));
        lines.put(Fault.NOT_AN_OBJECT, Tuple.of(1, Arbitraries.of("[1, 2]", "\"just text\"", "42", "null", "true", "[{\"prompt\": \"a\"}]")
                .map(s -> new Line(Fault.NOT_AN_OBJECT, s.getBytes(StandardCharsets.UTF_8), null, Set.of(BadRowReason.NOT_AN_OBJECT), Set.of(), "\n"))));
        Arbitrary<Line> wrongText = Combinators.combine(rows, Arbitraries.of(shape.texts()),
                        Arbitraries.of("42", "3.5", "true", "false", "null", "{\"text\": \"x\"}"))
                .as((f, name, value) -> line(Fault.WRONG_TYPE, replace(f, name, value), name, Set.of(BadRowReason.WRONG_TYPE)));
        Arbitrary<Line> wrongId = Combinators.combine(rows, Arbitraries.of("3.5", "true", "{\"n\": 1}", "[\"a\"]"))
                .as((f, value) -> line(Fault.WRONG_TYPE, with(without(f, "id"), "id", value), "id", Set.of(BadRowReason.WRONG_TYPE)));
        lines.put(Fault.WRONG_TYPE, Tuple.of(3, Arbitraries.frequencyOf(Tuple.of(2, wrongText), Tuple.of(1, wrongId))));
        lines.put(Fault.MISSING_FIELD, Tuple.of(2, Combinators.combine(rows, Arbitraries.of(shape.required()))
                .as((f, name) -> line(Fault.MISSING_FIELD, without(f, name), name, Set.of(BadRowReason.MISSING_FIELD)))));
        List<String> emptiable = new ArrayList<>(shape.texts());
        emptiable.add("id");
        lines.put(Fault.EMPTY_STRING, Tuple.of(2, Combinators.combine(rows, Arbitraries.of(emptiable)).as((f, name) -> {
            List<Field> out = name.equals("id") ? with(without(f, "id"), "id", "\"\"") : replace(f, name, emptyValue(f, name));
            return line(Fault.EMPTY_STRING, out, name, Set.of(BadRowReason.EMPTY_TEXT));
        })));
        lines.put(Fault.INVALID_UTF8, Tuple.of(2, Combinators.combine(rows, Arbitraries.of(
                        new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xC3, 'x'}, new byte[] {(byte) 0x80},
                        new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                        new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
                        new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}),
                        Arbitraries.doubles().between(0, 1))
                .as((f, badBytes, where) -> {
                    byte[] good = render(f);
                    // Anywhere between the first and the last byte: all of the row's structure is ASCII.
                    int at = 1 + (int) Math.floor(where * (good.length - 2));
                    byte[] out = new byte[good.length + badBytes.length];
                    System.arraycopy(good, 0, out, 0, at);
                    System.arraycopy(badBytes, 0, out, at, badBytes.length);
                    System.arraycopy(good, at, out, at + badBytes.length, good.length - at);
                    return new Line(Fault.INVALID_UTF8, out, null, Set.of(BadRowReason.INVALID_UTF8), Set.of(), "\n");
                })));
        lines.put(Fault.DUPLICATE_KEY, Tuple.of(2, Combinators.combine(rows, Arbitraries.integers().between(0, 10), Arbitraries.of(true, false))
                .as((f, which, sameValue) -> {
                    Field twice = f.get(which % f.size());
                    return line(Fault.DUPLICATE_KEY, with(f, twice.name(), sameValue ? twice.json() : json("other")), twice.name(),
                            Set.of(BadRowReason.DUPLICATE_KEY));
                })));
        excluded.forEach(lines::remove);
        return new ArrayList<>(lines.values());
    }

    private static String emptyValue(List<Field> fields, String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow().json().startsWith("[") ? "[]" : "\"\"";
    }

    private static List<Field> with(List<Field> fields, String name, String json) {
        List<Field> out = new ArrayList<>(fields);
        out.add(new Field(name, json));
        return out;
    }

    /** A string cut after a code point chosen by {@code at} in [0, 1], keeping at least one and dropping at least one. */
    static String cut(String s, double at) {
        int points = s.codePointCount(0, s.length());
        int keep = 1 + (int) Math.floor(at * (points - 2));
        return s.substring(0, s.offsetByCodePoints(0, Math.min(keep, points - 1)));
    }

    private static Arbitrary<GeneratedFile> files(Shape shape, List<Tuple.Tuple2<Integer, Arbitrary<Line>>> lines,
            DataFormat explicit) {
        Arbitrary<List<Field>> rows = shape.rows();
        @SuppressWarnings({"unchecked", "rawtypes"})
        Arbitrary<Line> any = Arbitraries.frequencyOf((List) lines);
        Arbitrary<List<Line>> body = any.list().ofMinSize(0).ofMaxSize(12);
        // Under auto, a valid first row fixes the format; an explicit format may start with any line.
        return Combinators.combine(rows, body, Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as((first, rest, bom, finalNewline, auto) -> {
                    List<Line> all = new ArrayList<>();
                    if (auto || rest.isEmpty()) {
                        all.add(kept(Fault.VALID, first));
                    }
                    all.addAll(rest);
                    return new GeneratedFile(all, bom, finalNewline, auto ? DataFormat.AUTO : explicit);
                });
    }

    private static Shape paired() {
        return new Shape(pairedRows(), List.of("prompt", "chosen", "rejected"), List.of("prompt", "chosen", "rejected"),
                MalformedInputPropertyTest::json);
    }

    @Provide
    Arbitrary<GeneratedFile> pairedFiles() {
        return files(paired(), commonLines(paired(), Set.of()), DataFormat.PAIRED);
    }

    @Provide
    Arbitrary<GeneratedFile> implicitPromptFiles() {
        // Every text starts with "Q: ", so that a long text written into one response still shares a beginning.
        Arbitrary<List<Field>> rows = withOptionalId(Combinators.combine(text(), text(), text()).as((shared, c, r) ->
                List.of(new Field("chosen", json("Q: " + shared + " A " + c)), new Field("rejected", json("Q: " + shared + " B " + r)))));
        Shape shape = new Shape(rows, List.of("chosen", "rejected"), List.of("chosen", "rejected"), t -> json("Q: " + t));
        List<Tuple.Tuple2<Integer, Arbitrary<Line>>> lines = new ArrayList<>(commonLines(shape, Set.of()));
        lines.add(Tuple.of(2, Combinators.combine(text(), text()).as((c, r) -> line(Fault.NO_SHARED_PROMPT,
                List.of(new Field("chosen", json("Yes. " + c)), new Field("rejected", json("No. " + r))), "chosen",
                Set.of(BadRowReason.NO_SHARED_PROMPT)))));
        lines.add(Tuple.of(1, text().map(t -> line(Fault.NO_SHARED_PROMPT,
                List.of(new Field("chosen", json(t)), new Field("rejected", json(t))), "rejected", Set.of(BadRowReason.EMPTY_TEXT)))));
        return files(shape, lines, DataFormat.IMPLICIT_PROMPT);
    }

    @Provide
    Arbitrary<GeneratedFile> unpairedFiles() {
        Shape shape = new Shape(unpairedRows(), List.of("prompt", "completion", "label"), List.of("prompt", "completion"),
                MalformedInputPropertyTest::json);
        List<Tuple.Tuple2<Integer, Arbitrary<Line>>> lines = new ArrayList<>(commonLines(shape, Set.of()));
        lines.add(Tuple.of(4, Combinators.combine(shape.rows(), Arbitraries.of("\"true\"", "1", "0", "null", "\"yes\"", "[true]"))
                .as((f, value) -> line(Fault.LABEL_NOT_BOOLEAN, replace(f, "label", value), "label", Set.of(BadRowReason.LABEL_NOT_BOOLEAN)))));
        return files(shape, lines, DataFormat.UNPAIRED);
    }

    @Provide
    Arbitrary<GeneratedFile> conversationalFiles() {
        Shape shape = new Shape(conversationalRows(), List.of("chosen", "rejected"), List.of("prompt", "chosen", "rejected"),
                text -> messages("assistant", text));
        List<Tuple.Tuple2<Integer, Arbitrary<Line>>> lines = new ArrayList<>(commonLines(shape, Set.of()));
        // Each spec: the field's new value, '#', the path after "<field>[0]" that the message must name.
        Arbitrary<String> badMessage = Arbitraries.of(
                "[{\"content\": \"x\"}]#.role", "[{\"role\": \"assitant\", \"content\": \"x\"}]#.role",
                "[{\"role\": \"bot\", \"content\": \"x\"}]#.role", "[{\"role\": 7, \"content\": \"x\"}]#.role",
                "[{\"role\": \"assistant\"}]#.content", "[{\"role\": \"assistant\", \"content\": 42}]#.content",
                "[{\"role\": \"assistant\", \"content\": null}]#.content",
                "[{\"role\": \"assistant\", \"content\": [{\"type\": \"text\", \"text\": \"x\"}]}]#.content",
                "[\"just text\"]#");
        lines.add(Tuple.of(4, Combinators.combine(shape.rows(), Arbitraries.of("prompt", "chosen", "rejected"), badMessage)
                .as((f, name, spec) -> {
                    String[] parts = spec.split("#", 2);
                    return line(Fault.BAD_MESSAGE, replace(f, name, parts[0]), name + "[0]" + parts[1], Set.of(BadRowReason.BAD_MESSAGE));
                })));
        return files(shape, lines, DataFormat.CONVERSATIONAL);
    }

    @Provide
    Arbitrary<GeneratedFile> arrayFiles() {
        // Elements with row faults only: their bounds stay clear, so they can be skipped.
        return files(paired(), commonLines(paired(), Set.of(Fault.TRUNCATED, Fault.INVALID_JSON, Fault.INVALID_UTF8, Fault.LINE_BOM)),
                DataFormat.PAIRED);
    }

    @Provide
    Arbitrary<Double> cuts() {
        return Arbitraries.doubles().between(0, 1);
    }
}
