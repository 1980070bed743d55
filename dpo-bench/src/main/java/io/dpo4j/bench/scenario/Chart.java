package io.dpo4j.bench.scenario;

import java.util.List;

/**
 * A line or scatter chart of a report, rendered to PNG by the report writer.
 *
 * @param id a file-name-safe id
 * @param title the chart's title
 * @param xLabel the x axis label
 * @param yLabel the y axis label
 * @param scatter points only (true) or lines with points (false)
 * @param logX a logarithmic x axis (points with x &le; 0 are not drawn; the scenario lists them)
 * @param series the data
 */
public record Chart(String id, String title, String xLabel, String yLabel, boolean scatter, boolean logX,
        List<Series> series) {

    /** A chart with a linear x axis. */
    public Chart(String id, String title, String xLabel, String yLabel, boolean scatter, List<Series> series) {
        this(id, title, xLabel, yLabel, scatter, false, series);
    }

    /**
     * One named series; {@code low}/{@code high} (optional, may be null) draw an error band.
     *
     * @param name legend entry
     * @param x x values
     * @param y y values
     * @param low lower bounds of y, or null
     * @param high upper bounds of y, or null
     */
    public record Series(String name, double[] x, double[] y, double[] low, double[] high) {

        /** A series without error bounds. */
        public static Series of(String name, double[] x, double[] y) {
            return new Series(name, x, y, null, null);
        }
    }
}
