package io.dpo4j.bench.report;

import io.dpo4j.bench.scenario.Chart;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/** Renders a {@link Chart} to PNG bytes with JFreeChart (headless). */
public final class ChartRenderer {

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};

    private ChartRenderer() {
    }

    /** The chart as a PNG image of the given size. */
    public static byte[] png(Chart chart, int width, int height) throws IOException {
        System.setProperty("java.awt.headless", "true");
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        for (Chart.Series s : chart.series()) {
            YIntervalSeries series = new YIntervalSeries(s.name(), false, true);
            for (int i = 0; i < s.x().length; i++) {
                double y = s.y()[i];
                if (!Double.isFinite(y) || !Double.isFinite(s.x()[i]) || (chart.logX() && s.x()[i] <= 0)) {
                    continue;
                }
                double lo = s.low() == null ? y : s.low()[i];
                double hi = s.high() == null ? y : s.high()[i];
                series.add(s.x()[i], y, lo, hi);
            }
            data.addSeries(series);
        }
        ValueAxis x;
        if (chart.logX()) {
            LogAxis log = new LogAxis(chart.xLabel() + " (log scale)");
            log.setSmallestValue(1e-3);
            log.setNumberFormatOverride(new java.text.DecimalFormat("0.###"));
            x = log;
        } else {
            NumberAxis linear = new NumberAxis(chart.xLabel());
            linear.setAutoRangeIncludesZero(false);
            x = linear;
        }
        NumberAxis y = new NumberAxis(chart.yLabel());
        y.setAutoRangeIncludesZero(false);
        DeviationRenderer renderer = new DeviationRenderer(!chart.scatter(), true);
        for (int i = 0; i < chart.series().size(); i++) {
            Color c = PALETTE[i % PALETTE.length];
            renderer.setSeriesPaint(i, c);
            renderer.setSeriesFillPaint(i, c);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        renderer.setAlpha(0.15f);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        JFreeChart jf = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        jf.setTitle(new TextTitle(chart.title(), new Font(Font.SANS_SERIF, Font.BOLD, 14)));
        jf.setBackgroundPaint(Color.WHITE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(out, jf, width, height);
        return out.toByteArray();
    }
}
