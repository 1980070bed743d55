package io.dpo4j.bench.scenario;

import java.util.List;
import java.util.Map;

/**
 * What a scenario found: the claim, the verdict and its reason in numbers, tables and charts for
 * the report, raw result rows for the JSON and CSV files, and the cost of running it.
 *
 * @param id the scenario id
 * @param title a human title
 * @param claim the claim tested, with its source
 * @param verdict reproduced, not reproduced, or inconclusive
 * @param reason the numbers behind the verdict, in one or two sentences
 * @param tables tables for the report
 * @param charts charts for the report
 * @param rows one map per measured cell (objective × hyperparameters × seed), for JSON and CSV
 * @param seconds wall time of the scenario
 */
public record ScenarioReport(String id, String title, String claim, Verdict verdict, String reason, List<Table> tables,
        List<Chart> charts, List<Map<String, Object>> rows, double seconds) {

    public ScenarioReport {
        tables = List.copyOf(tables);
        charts = List.copyOf(charts);
        rows = List.copyOf(rows);
    }
}
