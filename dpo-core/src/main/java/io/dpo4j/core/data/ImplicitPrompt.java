package io.dpo4j.core.data;

import java.util.List;

/**
 * TRL's {@code extract_prompt}: for rows with only {@code chosen} and {@code rejected}, the prompt is
 * their shared beginning — the common leading messages of two conversations, or the longest common
 * prefix of two strings (a space just before the point where they differ goes to the responses, as
 * TRL does, so that each response starts with its word's leading space).
 */
final class ImplicitPrompt {

    private ImplicitPrompt() {
    }

    static PairedExample extract(String id, String source, Content chosen, Content rejected) throws BadRowException {
        if (chosen instanceof Content.Text c && rejected instanceof Content.Text r) {
            return fromText(id, source, c.text(), r.text());
        }
        if (chosen instanceof Content.Conversation c && rejected instanceof Content.Conversation r) {
            return fromMessages(id, source, c.messages(), r.messages());
        }
        throw new BadRowException(BadRowReason.MIXED_CONTENT, "rejected", "a row is all text or all conversation");
    }

    private static PairedExample fromText(String id, String source, String chosen, String rejected) throws BadRowException {
        int n = Math.min(chosen.length(), rejected.length());
        int k = 0;
        while (k < n && chosen.charAt(k) == rejected.charAt(k)) {
            k++;
        }
        if (k > 0 && Character.isHighSurrogate(chosen.charAt(k - 1))) {
            k--; // never split a surrogate pair
        }
        if (k < n && k > 0 && chosen.charAt(k - 1) == ' ') {
            k--;
        }
        if (k == 0) {
            throw new BadRowException(BadRowReason.NO_SHARED_PROMPT, "chosen",
                    "'chosen' and 'rejected' share no beginning, so there is no implicit prompt (chosen starts "
                            + quote(chosen) + ", rejected starts " + quote(rejected) + "); add a 'prompt' field");
        }
        checkLeft(chosen.length() - k, rejected.length() - k);
        return new PairedExample(id, source, Content.text(chosen.substring(0, k)), Content.text(chosen.substring(k)),
                Content.text(rejected.substring(k)));
    }

    private static PairedExample fromMessages(String id, String source, List<Message> chosen, List<Message> rejected)
            throws BadRowException {
        int n = Math.min(chosen.size(), rejected.size());
        int k = 0;
        while (k < n && chosen.get(k).equals(rejected.get(k))) {
            k++;
        }
        if (k == 0) {
            throw new BadRowException(BadRowReason.NO_SHARED_PROMPT, "chosen",
                    "'chosen' and 'rejected' share no leading message, so there is no implicit prompt; add a 'prompt' field");
        }
        checkLeft(chosen.size() - k, rejected.size() - k);
        List<Message> chosenRest = chosen.subList(k, chosen.size());
        List<Message> rejectedRest = rejected.subList(k, rejected.size());
        if (chosenRest.stream().allMatch(m -> m.content().isEmpty())) {
            throw new BadRowException(BadRowReason.EMPTY_TEXT, "chosen", "every message after the shared prompt has empty content");
        }
        if (rejectedRest.stream().allMatch(m -> m.content().isEmpty())) {
            throw new BadRowException(BadRowReason.EMPTY_TEXT, "rejected", "every message after the shared prompt has empty content");
        }
        return new PairedExample(id, source, Content.conversation(chosen.subList(0, k)), Content.conversation(chosenRest),
                Content.conversation(rejectedRest));
    }

    private static void checkLeft(int chosenLeft, int rejectedLeft) throws BadRowException {
        if (chosenLeft == 0 && rejectedLeft == 0) {
            throw new BadRowException(BadRowReason.EMPTY_TEXT, "rejected", "identical to 'chosen': no response is left after the shared prompt");
        }
        if (chosenLeft == 0) {
            throw new BadRowException(BadRowReason.EMPTY_TEXT, "chosen", "nothing is left after the shared prompt ('rejected' begins with all of 'chosen')");
        }
        if (rejectedLeft == 0) {
            throw new BadRowException(BadRowReason.EMPTY_TEXT, "rejected", "nothing is left after the shared prompt ('chosen' begins with all of 'rejected')");
        }
    }

    private static String quote(String s) {
        return "\"" + JsonValues.abbreviate(s, 20) + "\"";
    }
}
