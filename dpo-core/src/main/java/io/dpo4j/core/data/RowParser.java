package io.dpo4j.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.api.Suggestions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Turns one parsed JSON row into an example of a given format, or says precisely what is wrong. */
final class RowParser {

    private static final Set<String> SIGNATURE = Set.of("chosen", "rejected", "completion", "label");

    private RowParser() {
    }

    /**
     * The format a row looks like, or null when it has none of the fields {@code chosen},
     * {@code rejected}, {@code completion}, {@code label}.
     */
    static DataFormat detect(JsonNode row) {
        if (row == null || !row.isObject() || SIGNATURE.stream().noneMatch(row::has)) {
            return null;
        }
        if (row.has("completion") || row.has("label")) {
            return DataFormat.UNPAIRED;
        }
        if (isList(row, "chosen") || isList(row, "rejected") || isList(row, "prompt")) {
            return DataFormat.CONVERSATIONAL;
        }
        return row.has("prompt") ? DataFormat.PAIRED : DataFormat.IMPLICIT_PROMPT;
    }

    private static boolean isList(JsonNode row, String field) {
        return row.path(field).isArray();
    }

    /** The fields a format reads; any other field of a row is ignored (and reported once per file). */
    static Set<String> knownFields(DataFormat format) {
        return switch (format) {
            case PAIRED, CONVERSATIONAL -> Set.of("id", "prompt", "chosen", "rejected");
            case IMPLICIT_PROMPT -> Set.of("id", "chosen", "rejected");
            case UNPAIRED -> Set.of("id", "prompt", "completion", "label");
            case AUTO -> throw new IllegalArgumentException("detect the format first");
        };
    }

    /**
     * Reads a row.
     *
     * @param node the parsed row
     * @param format a concrete format (not AUTO)
     * @param fallbackId the id when the row has no {@code id} field
     * @param source {@code file:line}
     * @param ignored receives the names of fields the format does not read
     */
    static PreferenceExample parse(JsonNode node, DataFormat format, String fallbackId, String source,
            Set<String> ignored) throws BadRowException {
        if (!node.isObject()) {
            throw new BadRowException(BadRowReason.NOT_AN_OBJECT, null,
                    "expected a JSON object, found " + JsonValues.describe(node));
        }
        Set<String> known = knownFields(format);
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!known.contains(name)) {
                ignored.add(name);
            }
        }
        String id = id(node, fallbackId);
        switch (format) {
            case PAIRED -> {
                Content prompt = content(node, "prompt", false, false, ignored);
                Content chosen = content(node, "chosen", false, true, ignored);
                Content rejected = content(node, "rejected", false, true, ignored);
                sameKind(prompt, chosen, "chosen");
                sameKind(prompt, rejected, "rejected");
                return new PairedExample(id, source, prompt, chosen, rejected);
            }
            case CONVERSATIONAL -> {
                Content prompt = node.has("prompt") ? content(node, "prompt", true, false, ignored) : null;
                Content chosen = content(node, "chosen", true, true, ignored);
                Content rejected = content(node, "rejected", true, true, ignored);
                return prompt == null ? ImplicitPrompt.extract(id, source, chosen, rejected)
                        : new PairedExample(id, source, prompt, chosen, rejected);
            }
            case IMPLICIT_PROMPT -> {
                Content chosen = content(node, "chosen", false, true, ignored);
                Content rejected = content(node, "rejected", false, true, ignored);
                sameKind(chosen, rejected, "rejected");
                return ImplicitPrompt.extract(id, source, chosen, rejected);
            }
            case UNPAIRED -> {
                Content prompt = content(node, "prompt", false, false, ignored);
                Content completion = content(node, "completion", false, true, ignored);
                sameKind(prompt, completion, "completion");
                return new UnpairedExample(id, source, prompt, completion, label(node));
            }
            default -> throw new IllegalArgumentException("detect the format first");
        }
    }

    private static String id(JsonNode row, String fallback) throws BadRowException {
        JsonNode id = row.get("id");
        if (id == null || id.isNull()) {
            return fallback;
        }
        if (id.isTextual()) {
            if (id.textValue().isEmpty()) {
                throw new BadRowException(BadRowReason.EMPTY_TEXT, "id", "an empty string (leave the field out to use file:line)");
            }
            return id.textValue();
        }
        if (id.isIntegralNumber()) {
            return id.asText();
        }
        throw new BadRowException(BadRowReason.WRONG_TYPE, "id", "expected a string or an integer, found " + JsonValues.describe(id));
    }

    private static boolean label(JsonNode row) throws BadRowException {
        JsonNode label = row.get("label");
        if (label == null) {
            throw missing(row, "label");
        }
        if (!label.isBoolean()) {
            throw new BadRowException(BadRowReason.LABEL_NOT_BOOLEAN, "label",
                    "expected true or false, found " + JsonValues.describe(label));
        }
        return label.booleanValue();
    }

    /**
     * Reads a text or a conversation.
     *
     * @param messagesOnly true when the format requires a list of messages
     * @param response true for a response (a conversation must then have some non-empty content)
     */
    private static Content content(JsonNode row, String field, boolean messagesOnly, boolean response,
            Set<String> ignored) throws BadRowException {
        JsonNode value = row.get(field);
        if (value == null) {
            throw missing(row, field);
        }
        if (value.isTextual() && !messagesOnly) {
            if (value.textValue().isEmpty()) {
                throw new BadRowException(BadRowReason.EMPTY_TEXT, field, "an empty string");
            }
            return Content.text(value.textValue());
        }
        if (value.isArray()) {
            List<Message> messages = messages(field, value, ignored);
            if (response && messages.stream().allMatch(m -> m.content().isEmpty())) {
                throw new BadRowException(BadRowReason.EMPTY_TEXT, field, "every message has empty content");
            }
            return Content.conversation(messages);
        }
        String expected = messagesOnly ? "a list of messages" : "a string or a list of messages";
        throw new BadRowException(BadRowReason.WRONG_TYPE, field, "expected " + expected + ", found " + JsonValues.describe(value));
    }

    private static List<Message> messages(String field, JsonNode array, Set<String> ignored) throws BadRowException {
        if (array.isEmpty()) {
            throw new BadRowException(BadRowReason.EMPTY_TEXT, field, "an empty list of messages");
        }
        List<Message> messages = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            String path = field + "[" + i + "]";
            if (!m.isObject()) {
                throw new BadRowException(BadRowReason.BAD_MESSAGE, path,
                        "expected a message {\"role\": ..., \"content\": ...}, found " + JsonValues.describe(m));
            }
            JsonNode role = m.get("role");
            if (role == null) {
                throw new BadRowException(BadRowReason.BAD_MESSAGE, path + ".role", "missing");
            }
            if (!role.isTextual()) {
                throw new BadRowException(BadRowReason.BAD_MESSAGE, path + ".role",
                        "expected a string, found " + JsonValues.describe(role));
            }
            if (!Message.ROLES.contains(role.textValue())) {
                throw new BadRowException(BadRowReason.BAD_MESSAGE, path + ".role", "unknown role \""
                        + JsonValues.abbreviate(role.textValue()) + "\""
                        + Suggestions.didYouMean(role.textValue(), Message.ROLES)
                        + "; known roles: " + String.join(", ", new TreeSet<>(Message.ROLES)));
            }
            JsonNode content = m.get("content");
            if (content == null) {
                throw new BadRowException(BadRowReason.BAD_MESSAGE, path + ".content", "missing");
            }
            if (!content.isTextual()) {
                throw new BadRowException(BadRowReason.BAD_MESSAGE, path + ".content",
                        "expected a string, found " + JsonValues.describe(content)
                                + (content.isArray() ? " (lists of content parts are not supported)" : ""));
            }
            for (Iterator<String> names = m.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!name.equals("role") && !name.equals("content")) {
                    ignored.add(field + "[]." + name);
                }
            }
            messages.add(new Message(role.textValue(), content.textValue()));
        }
        return messages;
    }

    private static void sameKind(Content first, Content other, String otherField) throws BadRowException {
        if (first.isConversation() != other.isConversation()) {
            throw new BadRowException(BadRowReason.MIXED_CONTENT, otherField,
                    (other.isConversation() ? "a list of messages where the row's other fields are strings"
                            : "a string where the row's other fields are lists of messages")
                            + ": a row is all text or all conversation");
        }
    }

    private static BadRowException missing(JsonNode row, String field) {
        List<String> present = new ArrayList<>();
        row.fieldNames().forEachRemaining(present::add);
        String has = present.isEmpty() ? "the row is an empty object"
                : "the row has " + JsonValues.abbreviate(String.join(", ", present));
        return new BadRowException(BadRowReason.MISSING_FIELD, field, "missing (" + has + ")");
    }
}
