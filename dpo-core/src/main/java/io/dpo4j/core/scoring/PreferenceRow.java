package io.dpo4j.core.scoring;

/**
 * One preference pair read from a JSONL file.
 *
 * @param line the 1-based line number in its file
 * @param prompt the prompt text
 * @param chosen the preferred response
 * @param rejected the dispreferred response
 */
public record PreferenceRow(int line, String prompt, String chosen, String rejected) {
}
