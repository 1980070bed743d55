package io.dpo4j.core.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.core.DpoException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads preference data from JSON Lines ({@code .jsonl}) and JSON array ({@code .json}) files in
 * TRL's dataset formats. Every non-blank row ends as an example or, under
 * {@code on_bad_row: skip}, as a counted skip; under {@code on_bad_row: error} the first bad row
 * stops loading with a {@link DpoException} naming file, line, field, value and reason.
 *
 * <p>A file is a JSON array when its first non-blank character is {@code [} (and its name does not
 * end in {@code .jsonl}); otherwise it is JSON Lines. A UTF-8 byte-order mark and CRLF line ends are
 * accepted. In a JSON array, invalid UTF-8 or broken JSON syntax stops loading whatever the policy,
 * because the rows after it have no reliable bounds.
 */
public final class PreferenceDataLoader {

    private static final String SKIP_HINT = " (set on_bad_row: skip to drop such rows)";

    private PreferenceDataLoader() {
    }

    /** Loads one file. */
    public static LoadResult load(Path file, LoadOptions options) {
        return load(List.of(file), options);
    }

    /**
     * Loads files in order.
     *
     * @throws DpoException for a file that cannot be read or understood, or (policy {@code error}) a bad row
     */
    public static LoadResult load(List<Path> files, LoadOptions options) {
        Objects.requireNonNull(options, "options");
        if (files.isEmpty()) {
            throw new DpoException("no data files given");
        }
        List<PreferenceExample> examples = new ArrayList<>();
        List<FileReport> reports = new ArrayList<>();
        List<String> skipMessages = new ArrayList<>();
        for (Path file : files) {
            reports.add(loadFile(file, options, examples, skipMessages));
        }
        return new LoadResult(examples, reports, skipMessages);
    }

    /** A row after JSON parsing: a node, or the fault that stopped it. */
    private record ParsedRow(SourceFile.RawRow raw, JsonNode node, BadRowException fault) {
    }

    private static FileReport loadFile(Path path, LoadOptions options, List<PreferenceExample> examples,
            List<String> skipMessages) {
        SourceFile source = SourceFile.read(path, options);
        List<ParsedRow> rows = new ArrayList<>(source.rows().size());
        for (SourceFile.RawRow raw : source.rows()) {
            rows.add(parse(raw, source, options.maxFieldChars()));
        }
        DataFormat format = options.format() == DataFormat.AUTO ? detect(source, rows, options.onBadRow())
                : options.format();
        Map<BadRowReason, Long> skipped = new EnumMap<>(BadRowReason.class);
        Set<String> ignored = new TreeSet<>();
        long kept = 0;
        for (ParsedRow row : rows) {
            String location = source.name() + ":" + row.raw().line();
            BadRowException fault = row.fault();
            if (fault == null && format == DataFormat.AUTO) {
                // Undetected only when no row is a JSON object, so this one is not either.
                fault = new BadRowException(BadRowReason.NOT_AN_OBJECT, null,
                        "expected a JSON object, found " + JsonValues.describe(row.node()));
            }
            if (fault == null) {
                try {
                    // Under auto, a file may mix plain-text and conversational pairs: a row with a prompt is read
                    // as paired (which takes texts or conversations) even when the file's first row is a conversation.
                    DataFormat rowFormat = options.format() == DataFormat.AUTO && format == DataFormat.CONVERSATIONAL
                            && row.node() != null && row.node().has("prompt") ? DataFormat.PAIRED : format;
                    examples.add(RowParser.parse(row.node(), rowFormat, row.raw().fallbackId(), location, ignored));
                    kept++;
                    continue;
                } catch (BadRowException e) {
                    fault = e;
                }
            }
            String message = fault.messageAt(location);
            if (options.onBadRow() == BadRowPolicy.ERROR) {
                throw new DpoException(message + SKIP_HINT);
            }
            skipped.merge(fault.reason(), 1L, Long::sum);
            if (skipMessages.size() < LoadResult.MAX_SKIP_MESSAGES) {
                skipMessages.add(message);
            }
        }
        return new FileReport(source.name(), format, source.isJsonArray(), rows.size(), kept, skipped,
                new ArrayList<>(ignored));
    }

    private static ParsedRow parse(SourceFile.RawRow raw, SourceFile source, int maxFieldChars) {
        if (raw.fault() != null) {
            return new ParsedRow(raw, null, raw.fault());
        }
        JsonNode node;
        try {
            node = JsonValues.STRICT.readTree(raw.text());
        } catch (JacksonException e) {
            return new ParsedRow(raw, null, jsonFault(e, source));
        }
        TooLong tooLong = longText(node, "", maxFieldChars);
        if (tooLong != null) {
            return new ParsedRow(raw, null, new BadRowException(BadRowReason.FIELD_TOO_LONG, tooLong.path(), "has "
                    + tooLong.length()
                    + " characters, over the limit data.max_field_chars = " + maxFieldChars + " (raise it, or fix the row)"));
        }
        return new ParsedRow(raw, node, null);
    }

    /** A text over the field limit: its path and length. */
    private record TooLong(String path, int length) {
    }

    /** The first text longer than {@code max} characters, or null. */
    private static TooLong longText(JsonNode node, String path, int max) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            int length = node.asText().length();
            return length > max ? new TooLong(path, length) : null;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                TooLong p = longText(node.get(i), path + "[" + i + "]", max);
                if (p != null) {
                    return p;
                }
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                TooLong p = longText(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), max);
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }


    /**
     * The format of the first row that has a signature field. When none has: an error naming the
     * first object row's fields, or — when no row is even a JSON object — AUTO, leaving every row a fault.
     */
    private static DataFormat detect(SourceFile source, List<ParsedRow> rows, BadRowPolicy policy) {
        ParsedRow firstObject = null;
        for (ParsedRow row : rows) {
            DataFormat f = RowParser.detect(row.node());
            if (f != null) {
                return f;
            }
            if (firstObject == null && row.node() != null && row.node().isObject()) {
                firstObject = row;
            }
        }
        if (firstObject == null) {
            return DataFormat.AUTO;
        }
        if (policy == BadRowPolicy.ERROR) {
            for (ParsedRow row : rows) {
                if (row == firstObject) {
                    break;
                }
                if (row.fault() != null) {
                    throw new DpoException(row.fault().messageAt(source.name() + ":" + row.raw().line()) + SKIP_HINT);
                }
            }
        }
        List<String> fields = new ArrayList<>();
        firstObject.node().fieldNames().forEachRemaining(fields::add);
        throw new DpoException(source.name() + ":" + firstObject.raw().line()
                + ": cannot tell the data format: no row has a 'chosen', 'rejected', 'completion' or 'label' field (this row has "
                + (fields.isEmpty() ? "no fields" : JsonValues.abbreviate(String.join(", ", fields)))
                + "); expected prompt/chosen/rejected, chosen/rejected, or prompt/completion/label, or set the format");
    }

    private static BadRowException jsonFault(JacksonException e, SourceFile source) {
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        if (e instanceof JsonEOFException) {
            String hint = !source.isJsonArray() && source.name().endsWith(".json")
                    ? "; JSON Lines needs one whole object per line" : "";
            return new BadRowException(BadRowReason.TRUNCATED_JSON, null,
                    "the JSON ends early: " + JsonValues.abbreviate(message, 100) + hint);
        }
        if (message.startsWith("Duplicate") && e.getProcessor() instanceof JsonParser parser) {
            return new BadRowException(BadRowReason.DUPLICATE_KEY, path(parser.getParsingContext()),
                    "appears twice in one object");
        }
        String column = e.getLocation() != null && e.getLocation().getColumnNr() > 0
                ? " (column " + e.getLocation().getColumnNr() + ")" : "";
        return new BadRowException(BadRowReason.INVALID_JSON, null,
                "invalid JSON: " + JsonValues.abbreviate(message, 100) + column);
    }

    /** A field path such as {@code chosen[0].role} for a parser context. */
    private static String path(JsonStreamContext context) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inObject()) {
                parts.add(0, "." + c.getCurrentName());
            } else if (c.inArray()) {
                parts.add(0, "[" + c.getCurrentIndex() + "]");
            }
        }
        String p = String.join("", parts);
        return p.startsWith(".") ? p.substring(1) : p;
    }
}
