package io.dpo4j.bench.scenario;

import java.util.List;
import java.util.Map;

/**
 * What a scenario found: the claim, its design (data, budgets, the sweep), the verdict rules as
 * written in the suite with what each measured, the verdict and its reason in numbers, tables and
 * charts for the report, raw result rows for the JSON and CSV files, and the cost of running it.
 *
 * @param id the scenario id
 * @param title a human title
 * @param claim the claim tested, with its source
 * @param design how it is measured: data, arms, budgets, the learning-rate sweep, the statistics
 * @param rules every verdict rule applied, with its measured interval and outcome
 * @param verdict reproduced, not reproduced, or inconclusive
 * @param reason the numbers behind the verdict, in one or two sentences
 * @param tables tables for the report
 * @param charts charts for the report
 * @param rows one map per training run (arm × variant × seed), for JSON and CSV
 * @param seconds wall time of the scenario
 */
public record ScenarioReport(String id, String title, String claim, List<String> design, List<String> rules,
        Verdict verdict, String reason, List<Table> tables, List<Chart> charts, List<Map<String, Object>> rows,
        double seconds) {

    public ScenarioReport {
        design = List.copyOf(design);
        rules = List.copyOf(rules);
        tables = List.copyOf(tables);
        charts = List.copyOf(charts);
        rows = List.copyOf(rows);
    }

    /** A scenario that failed before measuring: inconclusive, with the error. */
    public static ScenarioReport failed(String id, String error, double seconds) {
        return new ScenarioReport(id, id, "(the scenario failed before measuring)", List.of(), List.of(),
                Verdict.INCONCLUSIVE, "the scenario failed: " + error, List.of(), List.of(), List.of(), seconds);
    }
}
