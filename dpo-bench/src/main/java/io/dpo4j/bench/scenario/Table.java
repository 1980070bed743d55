package io.dpo4j.bench.scenario;

import java.util.List;

/**
 * A table of a report: a title, a header and rows of already formatted cells.
 *
 * @param title shown above the table
 * @param header column names
 * @param rows cells, one list per row
 */
public record Table(String title, List<String> header, List<List<String>> rows) {

    public Table {
        header = List.copyOf(header);
        rows = rows.stream().map(List::copyOf).toList();
    }
}
