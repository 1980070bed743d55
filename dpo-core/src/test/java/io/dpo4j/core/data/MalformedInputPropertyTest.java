package io.dpo4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.data.props.Cases;
import io.dpo4j.core.data.props.Corrupt;
import io.dpo4j.core.data.props.Gen;
import io.dpo4j.core.data.props.Gen.Weighted;
import io.dpo4j.core.reliability.FaultLedger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Generated malformed data files: whatever is wrong with a row, loading ends either in a
 * {@link DpoException} naming file, line and (for a field's fault) the field, or — under
 * {@code on_bad_row: skip} — in a skip counted under the right reason; never another exception,
 * and kept + skipped always equals the non-blank rows. Every case is counted in
 * {@link FaultLedger#DATA}, written to {@code target/fault-table-data.md} after the properties and
 * published as the "data" area of the reliability suite's table (docs/fault-table.md).
 *
 * <p>The properties run on {@link Cases}, a small seeded runner of our own on plain JUnit 5: each
 * {@code @TestFactory} yields one dynamic test per case, named with the seed that replays it (see
 * {@link Cases} and docs/data.md). They used to run on jqwik; its author asks that AI agents not use
 * that library, and since this project is developed with AI agents, we respect the request and do
 * without it.
 */
@DisplayName("Malformed input: every generated fault ends in a DpoException naming file and line, or a counted skip")
class MalformedInputPropertyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
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
        DEEP_NESTING("nesting over 1,000 levels", "a required field holding a list nested 1,001 to 3,000 levels deep"),
        LONG_NUMBER("number over 1,000 digits", "a required field holding a number of 1,001 to 5,000 digits"),
        LONG_KEY("field name over 50,000 characters", "an extra field whose name has 50,001 to 60,000 characters"),
        RAW_CONTROL("raw control character", "an unescaped control character (U+0000 to U+001F, line ends aside) inside a text"),
        ESCAPES("escaped oddities", "a text holding an escaped NUL (\\u0000), a lone escaped surrogate (\\ud800) or an escaped line separator (\\u2028)"),
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
            return Corrupt.joinLines(lines.stream().map(Line::bytes).toList(), lines.stream().map(Line::ending).toList(), bom,
                    finalNewline);
        }

        /**
         * Smaller files for shrinking: each with one line fewer (under auto the first line, a valid
         * row that fixes the format, stays; one line always stays), then without the BOM, then with
         * the final newline.
         */
        Stream<GeneratedFile> smaller() {
            List<GeneratedFile> out = new ArrayList<>();
            for (int i = format == DataFormat.AUTO ? 1 : 0; i < lines.size() && lines.size() > 1; i++) {
                List<Line> fewer = new ArrayList<>(lines);
                fewer.remove(i);
                out.add(new GeneratedFile(fewer, bom, finalNewline, format));
            }
            if (bom) {
                out.add(new GeneratedFile(lines, false, finalNewline, format));
            }
            if (!finalNewline) {
                out.add(new GeneratedFile(lines, bom, true, format));
            }
            return out.stream();
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

    /**
     * A JSON array file: the rows of {@code file} as its elements, cut off at {@code cut} in [0, 1]
     * before the closing bracket when {@code broken}.
     */
    record ArrayCase(GeneratedFile file, double cut, boolean broken) {
        Stream<ArrayCase> smaller() {
            return file.smaller().map(f -> new ArrayCase(f, cut, broken));
        }

        @Override
        public String toString() {
            return "JSON array" + (broken ? " cut off at " + cut : "") + " of " + file;
        }
    }

    @BeforeAll
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("dpo4j-malformed");
        for (Fault f : Fault.values()) {
            FaultLedger.DATA.declare(f.name, f.description);
        }
    }

    @AfterAll
    static void writeFaultTable() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Path target = Path.of(System.getProperty("basedir", "."), "target", "fault-table-data.md");
        FaultLedger.DATA.write(target, MalformedInputPropertyTest.class.getSimpleName() + " (dpo-core)");
        FaultLedger.DATA.publish();
    }

    // ---- the properties -------------------------------------------------------------------------

    @TestFactory
    @DisplayName("paired JSON Lines: skip counts every bad row by reason; error stops at the first bad row, naming file, line and field")
    Stream<DynamicTest> pairedJsonLines() {
        return Cases.forAll(pairedFiles()).tries(400).shrinkWith(GeneratedFile::smaller).check(file -> check(file, ".jsonl"));
    }

    @TestFactory
    @DisplayName("implicit-prompt JSON Lines: rows that share no beginning, or leave nothing after it, are caught too")
    Stream<DynamicTest> implicitPromptJsonLines() {
        return Cases.forAll(implicitPromptFiles()).tries(150).shrinkWith(GeneratedFile::smaller).check(file -> check(file, ".jsonl"));
    }

    @TestFactory
    @DisplayName("unpaired JSON Lines: labels that are not booleans and the other faults are caught the same way")
    Stream<DynamicTest> unpairedJsonLines() {
        return Cases.forAll(unpairedFiles()).tries(200).shrinkWith(GeneratedFile::smaller).check(file -> check(file, ".jsonl"));
    }

    @TestFactory
    @DisplayName("conversational JSON Lines: malformed messages are caught with the message's field path")
    Stream<DynamicTest> conversationalJsonLines() {
        return Cases.forAll(conversationalFiles()).tries(200).shrinkWith(GeneratedFile::smaller).check(file -> check(file, ".jsonl"));
    }

    @TestFactory
    @DisplayName("parser limits and escapes: nesting, number and name limits are bad rows like any other; escaped oddities are kept")
    Stream<DynamicTest> parserLimitsAndEscapes() {
        return Cases.forAll(limitFiles()).tries(100).shrinkWith(GeneratedFile::smaller).check(file -> check(file, ".jsonl"));
    }

    @TestFactory
    @DisplayName("JSON arrays: row faults are skipped and counted; a cut-off array stops loading naming file and line")
    Stream<DynamicTest> jsonArrays() {
        Gen<GeneratedFile> files = arrayFiles();
        Gen<Double> cuts = Gen.unit();
        Gen<Boolean> broken = Gen.booleans();
        return Cases.forAll(r -> new ArrayCase(files.next(r), cuts.next(r), broken.next(r))).tries(150)
                .shrinkWith(ArrayCase::smaller).check(MalformedInputPropertyTest::checkArray);
    }

    /** Loads a generated JSON array file under both policies and checks every outcome. */
    private static void checkArray(ArrayCase c) {
        GeneratedFile file = c.file();
        boolean broken = c.broken();
        List<Line> rows = file.lines().stream().filter(l -> !l.blank()).toList();
        StringBuilder json = new StringBuilder("[\n");
        for (int i = 0; i < rows.size(); i++) {
            json.append(new String(rows.get(i).bytes(), StandardCharsets.UTF_8)).append(i < rows.size() - 1 ? ",\n" : "\n");
        }
        // Cut somewhere before the closing bracket, so a broken array is always incomplete.
        String text = broken ? Corrupt.truncate(json.toString(), c.cut()) : json.append("]\n").toString();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Path path = write(".json", file.bom() ? Corrupt.withBom(bytes) : bytes);
        for (BadRowPolicy policy : BadRowPolicy.values()) {
            LoadOptions options = new LoadOptions(file.format(), policy);
            if (broken) {
                try {
                    PreferenceDataLoader.load(path, options);
                    throw new AssertionError("a cut-off JSON array loaded");
                } catch (DpoException e) {
                    assertThat(e.getMessage()).matches(Pattern.quote(path.toString()) + "(:\\d+)?: .*");
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
    private static void check(GeneratedFile file, String extension) {
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
        Set<String> ignored = new TreeSet<>();
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
        // Sorted: a Set.of iterates in an order that changes from one JVM to the next.
        return l.reasons().stream().sorted().filter(r -> result.skippedByReason().containsKey(r)).map(BadRowReason::description)
                .findFirst().orElse("?");
    }

    /** Counts a case in the fault table, unless it is a shrinking candidate. */
    private static void record(Fault fault, String outcome) {
        if (!Cases.shrinking()) {
            FaultLedger.DATA.record(fault.name, fault.description, outcome);
        }
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
    // Generation must depend on the random source only: no Set.of or Map.of iteration, whose order
    // changes from one JVM to the next, or a case seed would not replay its case.

    private static final List<String> WORDS = List.of("a", "Hello", "world", "Zürich", "日本語", "😀", "say \"hi\"",
            "back\\slash", "tab\there", "line\nbreak", "€5", "naïve", "{not json}", "[1,2]", "null", "   spaced");

    private static Gen<String> text() {
        return Gen.words(WORDS, 1, 6);
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

    private static String text(List<Field> fields) {
        return new String(render(fields), StandardCharsets.UTF_8);
    }

    private static Gen<List<Field>> withOptionalId(Gen<List<Field>> rows) {
        Gen<String> id = Gen.oneOf(Gen.ints(0, 1_000_000).map(i -> json("row-" + i)), Gen.ints(0, 1_000_000).map(String::valueOf));
        Gen<Optional<String>> maybeId = id.optional(0.5);
        return r -> {
            List<Field> out = new ArrayList<>(rows.next(r));
            maybeId.next(r).ifPresent(v -> out.add(new Field("id", v)));
            return out;
        };
    }

    private static Gen<List<Field>> pairedRows() {
        Gen<String> text = text();
        return withOptionalId(r -> List.of(new Field("prompt", json(text.next(r))), new Field("chosen", json(text.next(r))),
                new Field("rejected", json(text.next(r)))));
    }

    private static Gen<List<Field>> unpairedRows() {
        Gen<String> text = text();
        Gen<Boolean> label = Gen.booleans();
        return withOptionalId(r -> List.of(new Field("prompt", json(text.next(r))), new Field("completion", json(text.next(r))),
                new Field("label", json(label.next(r)))));
    }

    private static String messages(String role, String content) {
        Map<String, String> message = new LinkedHashMap<>();
        message.put("role", role);
        message.put("content", content);
        return json(List.of(message));
    }

    private static Gen<List<Field>> conversationalRows() {
        Gen<String> text = text();
        return withOptionalId(r -> List.of(new Field("prompt", messages("user", text.next(r))),
                new Field("chosen", messages("assistant", text.next(r))), new Field("rejected", messages("assistant", text.next(r)))));
    }

    private static Line line(Fault fault, List<Field> fields, String field, Set<BadRowReason> reasons) {
        return new Line(fault, render(fields), field, reasons, Set.of(), Corrupt.LF);
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

    private static List<Field> with(List<Field> fields, String name, String json) {
        List<Field> out = new ArrayList<>(fields);
        out.add(new Field(name, json));
        return out;
    }

    /**
     * Row shapes: how rows of a format are generated, which fields they require, which hold texts,
     * and how a text is written into such a field (a string, or a one-message conversation).
     */
    record Shape(Gen<List<Field>> rows, List<String> required, List<String> texts, Function<String, String> textValue) {
    }

    /** Lines of the fault classes that apply to rows of every format, leaving out {@code excluded}. */
    private static List<Weighted<Line>> commonLines(Shape shape, Set<Fault> excluded) {
        Gen<List<Field>> rows = shape.rows();
        Map<Fault, Weighted<Line>> lines = new EnumMap<>(Fault.class);
        lines.put(Fault.VALID, Gen.weighted(12, rows.map(f -> kept(Fault.VALID, f))));
        lines.put(Fault.BLANK, Gen.weighted(3, Gen.choose(Corrupt.BLANK_LINES).map(s ->
                new Line(Fault.BLANK, s.getBytes(StandardCharsets.US_ASCII), null, Set.of(), Set.of(), Corrupt.LF))));
        lines.put(Fault.CRLF, Gen.weighted(2, rows.map(f -> kept(Fault.CRLF, f).endingWith(Corrupt.CRLF))));
        lines.put(Fault.LINE_BOM, Gen.weighted(1, rows.map(f ->
                new Line(Fault.LINE_BOM, Corrupt.withBom(render(f)), null, Set.of(), Set.of(), Corrupt.LF))));
        Map<String, String> extraValues = new LinkedHashMap<>();
        extraValues.put("meta", "{\"lang\": \"de\", \"n\": [1, 2]}");
        extraValues.put("score_chosen", "7.5");
        extraValues.put("source", json("hh-rlhf"));
        extraValues.put("tags", "[\"a\", null]");
        Gen<List<String>> extras = Gen.subset(List.copyOf(extraValues.keySet()), 1);
        lines.put(Fault.EXTRA_FIELDS, Gen.weighted(2, r -> {
            List<Field> out = new ArrayList<>(rows.next(r));
            List<String> added = extras.next(r);
            added.forEach(e -> out.add(new Field(e, extraValues.get(e))));
            return new Line(Fault.EXTRA_FIELDS, render(out), null, Set.of(), Set.copyOf(added), Corrupt.LF);
        }));
        Gen<String> textField = Gen.choose(shape.texts());
        Gen<String> longText = Gen.repeated("long ", 4_000, 20_000);
        lines.put(Fault.LONG_STRING, Gen.weighted(1, r ->
                kept(Fault.LONG_STRING, replace(rows.next(r), textField.next(r), shape.textValue().apply(longText.next(r))))));
        Gen<Double> unit = Gen.unit();
        lines.put(Fault.TRUNCATED, Gen.weighted(2, r -> new Line(Fault.TRUNCATED,
                Corrupt.truncate(text(rows.next(r)), unit.next(r)).getBytes(StandardCharsets.UTF_8), null,
                Set.of(BadRowReason.TRUNCATED_JSON, BadRowReason.INVALID_JSON), Set.of(), Corrupt.LF)));
        Gen<Integer> invalidKind = Gen.ints(0, Corrupt.INVALID_JSON_KINDS - 1);
        lines.put(Fault.INVALID_JSON, Gen.weighted(2, r -> new Line(Fault.INVALID_JSON,
                Corrupt.invalidJson(text(rows.next(r)), invalidKind.next(r)).getBytes(StandardCharsets.UTF_8), null,
                Set.of(BadRowReason.INVALID_JSON), Set.of(), Corrupt.LF)));
        lines.put(Fault.NOT_AN_OBJECT, Gen.weighted(1, Gen.choose("[1, 2]", "\"just text\"", "42", "null", "true", "[{\"prompt\": \"a\"}]")
                .map(s -> new Line(Fault.NOT_AN_OBJECT, s.getBytes(StandardCharsets.UTF_8), null, Set.of(BadRowReason.NOT_AN_OBJECT), Set.of(),
                        Corrupt.LF))));
        Gen<String> wrongTextValue = Gen.choose("42", "3.5", "true", "false", "null", "{\"text\": \"x\"}");
        Gen<Line> wrongText = r -> {
            List<Field> f = rows.next(r);
            String name = textField.next(r);
            return line(Fault.WRONG_TYPE, replace(f, name, wrongTextValue.next(r)), name, Set.of(BadRowReason.WRONG_TYPE));
        };
        Gen<String> wrongIdValue = Gen.choose("3.5", "true", "{\"n\": 1}", "[\"a\"]");
        Gen<Line> wrongId = r -> line(Fault.WRONG_TYPE, with(without(rows.next(r), "id"), "id", wrongIdValue.next(r)), "id",
                Set.of(BadRowReason.WRONG_TYPE));
        lines.put(Fault.WRONG_TYPE, Gen.weighted(3, Gen.frequency(List.of(Gen.weighted(2, wrongText), Gen.weighted(1, wrongId)))));
        Gen<String> requiredField = Gen.choose(shape.required());
        lines.put(Fault.MISSING_FIELD, Gen.weighted(2, r -> {
            List<Field> f = rows.next(r);
            String name = requiredField.next(r);
            return line(Fault.MISSING_FIELD, without(f, name), name, Set.of(BadRowReason.MISSING_FIELD));
        }));
        List<String> emptiable = new ArrayList<>(shape.texts());
        emptiable.add("id");
        Gen<String> emptiableField = Gen.choose(emptiable);
        lines.put(Fault.EMPTY_STRING, Gen.weighted(2, r -> {
            List<Field> f = rows.next(r);
            String name = emptiableField.next(r);
            List<Field> out = name.equals("id") ? with(without(f, "id"), "id", "\"\"") : replace(f, name, emptyValue(f, name));
            return line(Fault.EMPTY_STRING, out, name, Set.of(BadRowReason.EMPTY_TEXT));
        }));
        Gen<byte[]> invalidUtf8 = Corrupt.invalidUtf8();
        lines.put(Fault.INVALID_UTF8, Gen.weighted(2, r -> {
            byte[] good = render(rows.next(r));
            byte[] bad = invalidUtf8.next(r);
            // Anywhere between the first and the last byte: all of the row's structure is ASCII.
            return new Line(Fault.INVALID_UTF8, Corrupt.insertInside(good, unit.next(r), bad), null, Set.of(BadRowReason.INVALID_UTF8),
                    Set.of(), Corrupt.LF);
        }));
        Gen<Integer> which = Gen.ints(0, 10);
        Gen<Boolean> sameValue = Gen.booleans();
        lines.put(Fault.DUPLICATE_KEY, Gen.weighted(2, r -> {
            List<Field> f = rows.next(r);
            Field twice = f.get(which.next(r) % f.size());
            return line(Fault.DUPLICATE_KEY, with(f, twice.name(), sameValue.next(r) ? twice.json() : json("other")), twice.name(),
                    Set.of(BadRowReason.DUPLICATE_KEY));
        }));
        excluded.forEach(lines::remove);
        return new ArrayList<>(lines.values());
    }

    private static String emptyValue(List<Field> fields, String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow().json().startsWith("[") ? "[]" : "\"\"";
    }

    private static Gen<GeneratedFile> files(Shape shape, List<Weighted<Line>> lines, DataFormat explicit) {
        Gen<List<Field>> rows = shape.rows();
        Gen<List<Line>> body = Gen.frequency(lines).list(0, 12);
        Gen<Boolean> coin = Gen.booleans();
        // Under auto, a valid first row fixes the format; an explicit format may start with any line.
        return r -> {
            List<Field> first = rows.next(r);
            List<Line> rest = body.next(r);
            boolean bom = coin.next(r);
            boolean finalNewline = coin.next(r);
            boolean auto = coin.next(r);
            List<Line> all = new ArrayList<>();
            if (auto || rest.isEmpty()) {
                all.add(kept(Fault.VALID, first));
            }
            all.addAll(rest);
            return new GeneratedFile(all, bom, finalNewline, auto ? DataFormat.AUTO : explicit);
        };
    }

    private static Shape paired() {
        return new Shape(pairedRows(), List.of("prompt", "chosen", "rejected"), List.of("prompt", "chosen", "rejected"),
                MalformedInputPropertyTest::json);
    }

    private static Gen<GeneratedFile> pairedFiles() {
        return files(paired(), commonLines(paired(), Set.of()), DataFormat.PAIRED);
    }

    private static Gen<GeneratedFile> implicitPromptFiles() {
        // Every text starts with "Q: ", so that a long text written into one response still shares a beginning.
        Gen<String> text = text();
        Gen<List<Field>> rows = withOptionalId(r -> {
            String shared = text.next(r);
            return List.of(new Field("chosen", json("Q: " + shared + " A " + text.next(r))),
                    new Field("rejected", json("Q: " + shared + " B " + text.next(r))));
        });
        Shape shape = new Shape(rows, List.of("chosen", "rejected"), List.of("chosen", "rejected"), t -> json("Q: " + t));
        List<Weighted<Line>> lines = new ArrayList<>(commonLines(shape, Set.of()));
        lines.add(Gen.weighted(2, r -> line(Fault.NO_SHARED_PROMPT,
                List.of(new Field("chosen", json("Yes. " + text.next(r))), new Field("rejected", json("No. " + text.next(r)))), "chosen",
                Set.of(BadRowReason.NO_SHARED_PROMPT))));
        lines.add(Gen.weighted(1, text.map(t -> line(Fault.NO_SHARED_PROMPT,
                List.of(new Field("chosen", json(t)), new Field("rejected", json(t))), "rejected", Set.of(BadRowReason.EMPTY_TEXT)))));
        return files(shape, lines, DataFormat.IMPLICIT_PROMPT);
    }

    private static Gen<GeneratedFile> unpairedFiles() {
        Shape shape = new Shape(unpairedRows(), List.of("prompt", "completion", "label"), List.of("prompt", "completion"),
                MalformedInputPropertyTest::json);
        List<Weighted<Line>> lines = new ArrayList<>(commonLines(shape, Set.of()));
        Gen<String> notBoolean = Gen.choose("\"true\"", "1", "0", "null", "\"yes\"", "[true]");
        lines.add(Gen.weighted(4, r -> line(Fault.LABEL_NOT_BOOLEAN, replace(shape.rows().next(r), "label", notBoolean.next(r)), "label",
                Set.of(BadRowReason.LABEL_NOT_BOOLEAN))));
        return files(shape, lines, DataFormat.UNPAIRED);
    }

    private static Gen<GeneratedFile> conversationalFiles() {
        Shape shape = new Shape(conversationalRows(), List.of("chosen", "rejected"), List.of("prompt", "chosen", "rejected"),
                text -> messages("assistant", text));
        List<Weighted<Line>> lines = new ArrayList<>(commonLines(shape, Set.of()));
        // Each spec: the field's new value, '#', the path after "<field>[0]" that the message must name.
        Gen<String> badMessage = Gen.choose(
                "[{\"content\": \"x\"}]#.role", "[{\"role\": \"assitant\", \"content\": \"x\"}]#.role",
                "[{\"role\": \"bot\", \"content\": \"x\"}]#.role", "[{\"role\": 7, \"content\": \"x\"}]#.role",
                "[{\"role\": \"assistant\"}]#.content", "[{\"role\": \"assistant\", \"content\": 42}]#.content",
                "[{\"role\": \"assistant\", \"content\": null}]#.content",
                "[{\"role\": \"assistant\", \"content\": [{\"type\": \"text\", \"text\": \"x\"}]}]#.content",
                "[\"just text\"]#");
        Gen<String> field = Gen.choose("prompt", "chosen", "rejected");
        lines.add(Gen.weighted(4, r -> {
            List<Field> f = shape.rows().next(r);
            String name = field.next(r);
            String[] parts = badMessage.next(r).split("#", 2);
            return line(Fault.BAD_MESSAGE, replace(f, name, parts[0]), name + "[0]" + parts[1], Set.of(BadRowReason.BAD_MESSAGE));
        }));
        return files(shape, lines, DataFormat.CONVERSATIONAL);
    }

    /**
     * Paired files whose bad rows hit the JSON parser's limits (nesting depth 1,000, numbers of 1,000
     * digits, names of 50,000 characters) or hold raw control characters, and whose good rows hold
     * escapes that are valid JSON but odd text.
     */
    private static Gen<GeneratedFile> limitFiles() {
        Shape shape = paired();
        Gen<List<Field>> rows = shape.rows();
        Gen<String> textField = Gen.choose(shape.texts());
        Gen<Integer> depth = Gen.ints(1_001, 3_000);
        Gen<Integer> digits = Gen.ints(1_001, 5_000);
        Gen<Integer> nameLength = Gen.ints(50_001, 60_000);
        Gen<Integer> control = Gen.ints(0, 0x1f).map(c -> c == '\n' || c == '\r' ? 0x01 : c);
        Gen<String> escape = Gen.choose("\\u0000", "\\ud800", "\\u2028", "\\udfff\\u0007");
        List<Weighted<Line>> lines = new ArrayList<>();
        lines.add(Gen.weighted(6, rows.map(f -> kept(Fault.VALID, f))));
        lines.add(Gen.weighted(1, r -> {
            int n = depth.next(r);
            return line(Fault.DEEP_NESTING, replace(rows.next(r), textField.next(r), "[".repeat(n) + "]".repeat(n)), null,
                    Set.of(BadRowReason.INVALID_JSON));
        }));
        lines.add(Gen.weighted(1, r -> line(Fault.LONG_NUMBER, replace(rows.next(r), textField.next(r),
                "7".repeat(digits.next(r))), null, Set.of(BadRowReason.INVALID_JSON))));
        lines.add(Gen.weighted(1, r -> line(Fault.LONG_KEY, with(rows.next(r), "k".repeat(nameLength.next(r)), "1"), null,
                Set.of(BadRowReason.INVALID_JSON))));
        lines.add(Gen.weighted(2, r -> {
            List<Field> f = rows.next(r);
            String name = textField.next(r);
            String value = f.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow().json();
            return line(Fault.RAW_CONTROL, replace(f, name, "\"" + (char) (int) control.next(r) + value.substring(1)), null,
                    Set.of(BadRowReason.INVALID_JSON));
        }));
        lines.add(Gen.weighted(2, r -> {
            List<Field> f = rows.next(r);
            String name = textField.next(r);
            String value = f.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow().json();
            return kept(Fault.ESCAPES, replace(f, name, "\"" + escape.next(r) + value.substring(1)));
        }));
        return files(shape, lines, DataFormat.PAIRED);
    }

    private static Gen<GeneratedFile> arrayFiles() {
        // Elements with row faults only: their bounds stay clear, so they can be skipped.
        return files(paired(), commonLines(paired(), Set.of(Fault.TRUNCATED, Fault.INVALID_JSON, Fault.INVALID_UTF8, Fault.LINE_BOM)),
                DataFormat.PAIRED);
    }
}
