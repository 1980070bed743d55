package io.dpo4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.core.data.Content;
import io.dpo4j.core.data.Message;
import io.dpo4j.core.data.PairedExample;
import io.dpo4j.core.data.RowTrace;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.data.TokenizedUnpaired;
import io.dpo4j.core.data.UnpairedExample;
import io.dpo4j.cli.DataPipeline;
import java.util.List;

/**
 * One row as JSON, the fields {@code dpo data inspect --json} and {@code dpo score} share: {@code id},
 * {@code source}, {@code line}, the row's fields as given, the texts the model sees
 * ({@code prompt_text}, {@code chosen_text}, {@code rejected_text} or {@code completion_text}) and the
 * ids it reads ({@code prompt_ids}, {@code chosen_ids}, {@code rejected_ids} or {@code completion_ids},
 * after truncation, EOS included), {@code truncated}.
 */
final class RowJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RowJson() {
    }

    static ObjectNode describe(DataPipeline.Row row) {
        ObjectNode json = JSON.createObjectNode();
        RowTrace t = row.trace();
        json.put("id", t.id());
        json.put("source", t.source());
        int colon = t.source().lastIndexOf(':');
        if (colon >= 0 && t.source().substring(colon + 1).chars().allMatch(Character::isDigit)
                && colon + 1 < t.source().length()) {
            json.put("line", Integer.parseInt(t.source().substring(colon + 1)));
        }
        boolean paired = row.example() instanceof PairedExample;
        List<String> sides = paired ? List.of("chosen", "rejected") : List.of("completion");
        if (row.example() instanceof PairedExample p) {
            json.set("prompt", content(p.prompt()));
            json.set("chosen", content(p.chosen()));
            json.set("rejected", content(p.rejected()));
        } else {
            UnpairedExample u = (UnpairedExample) row.example();
            json.set("prompt", content(u.prompt()));
            json.set("completion", content(u.completion()));
            json.put("label", u.desirable());
        }
        if (t.promptText() != null) {
            json.put("prompt_text", t.promptText());
        }
        for (int i = 0; i < t.responseTexts().size(); i++) {
            json.put(sides.get(i) + "_text", t.responseTexts().get(i));
        }
        if (t.kept() instanceof TokenizedPair p) {
            ids(json.putArray("prompt_ids"), p.prompt());
            ids(json.putArray("chosen_ids"), p.chosen());
            ids(json.putArray("rejected_ids"), p.rejected());
            json.put("truncated", p.truncated());
        } else if (t.kept() instanceof TokenizedUnpaired u) {
            ids(json.putArray("prompt_ids"), u.prompt());
            ids(json.putArray("completion_ids"), u.completion());
            json.put("truncated", u.truncated());
        } else {
            json.put("dropped", t.dropped().description());
            if (t.message() != null) {
                json.put("reason", t.message());
            }
            if (!t.promptIds().isEmpty()) {
                ids(json.putArray("untruncated_prompt_ids"), t.promptIds());
            }
            for (int i = 0; i < t.responseIds().size(); i++) {
                ids(json.putArray("untruncated_" + sides.get(i) + "_ids"), t.responseIds().get(i));
            }
        }
        return json;
    }

    private static com.fasterxml.jackson.databind.JsonNode content(Content c) {
        if (c instanceof Content.Text t) {
            return JSON.getNodeFactory().textNode(t.text());
        }
        ArrayNode list = JSON.createArrayNode();
        for (Message m : ((Content.Conversation) c).messages()) {
            list.addObject().put("role", m.role()).put("content", m.content());
        }
        return list;
    }

    private static void ids(ArrayNode array, TokenIds ids) {
        for (int id : ids.toArray()) {
            array.add(id);
        }
    }
}
