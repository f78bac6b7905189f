package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The report's charts, drawn with XChart from {@code results.json}'s figures only, each written as SVG (inlined in
 * the HTML) and PNG, each with a one-line caption saying what to read from it.
 */
final class ReportCharts
{
    private static final int WIDTH = 960;
    private static final int HEIGHT = 440;

    private ReportCharts()
    {
    }

    /**
     * @param doc    the results document.
     * @param charts the {@code charts} directory (exists).
     * @return one descriptor per chart: {@code {id, title, caption, svg, png}} (paths relative to the report).
     */
    static ArrayNode draw(final JsonNode doc, final Path charts) throws IOException
    {
        final ArrayNode out = ComparisonResults.mapper().createArrayNode();
        for (final JsonNode family : families(doc))
        {
            slowShare(doc, family.asText(), charts, out);
        }
        dropsAndHidden(doc, charts, out);
        for (int i = 0; i < doc.get("jmh").size(); i++)
        {
            throughput(doc.get("jmh").get(i), i, charts, out);
        }
        for (int i = 0; i < doc.get("kernelLab").size(); i++)
        {
            kernelVsModel(doc.get("kernelLab").get(i), i, charts, out);
        }
        return out;
    }

    private static ArrayNode families(final JsonNode doc)
    {
        final ArrayNode f = ComparisonResults.mapper().createArrayNode();
        for (final JsonNode v : doc.get("verdicts"))
        {
            f.add(v.get("family").asText());
        }
        return f;
    }

    /** Designs in the order of the first scenario's results. */
    private static List<String> designs(final JsonNode doc)
    {
        final List<String> ids = new ArrayList<>();
        for (final JsonNode r : doc.get("scenarios").get(0).get("results"))
        {
            ids.add(r.get("design").asText());
        }
        return ids;
    }

    private static JsonNode result(final JsonNode scenario, final String design)
    {
        for (final JsonNode r : scenario.get("results"))
        {
            if (r.get("design").asText().equals(design))
            {
                return r;
            }
        }
        return null;
    }

    private static void slowShare(final JsonNode doc, final String family, final Path charts, final ArrayNode out)
        throws IOException
    {
        final List<String> designs = designs(doc);
        final CategoryChart chart = chart("Lookups over " + doc.get("slowSeconds").asInt() + " s, " + family,
            "design", "lookups over " + doc.get("slowSeconds").asInt() + " s (%)");
        for (final JsonNode s : doc.get("scenarios"))
        {
            if (!s.get("family").asText().equals(family) ||
                (s.get("backends").asInt() != 2 && !s.get("workaround").asText().equals(Workaround.ONE_REPLICA.id())))
            {
                continue;
            }
            final List<Double> y = new ArrayList<>();
            for (final String d : designs)
            {
                final JsonNode r = result(s, d);
                y.add(r == null ? 0.0 : r.get("report").get("slowSharePercent").asDouble());
            }
            chart.addSeries(s.get("workaroundLabel").asText() + (s.get("backends").asInt() == 1 ? "" :
                ", " + s.get("backends").asInt() + " backends"), designs, y);
        }
        save(chart, "slow-lookups-" + slug(family), "Slow lookups per design and workaround (" + family + ")",
            "Share of lookups that waited for a resolver timeout, per design and workaround: a design and workaround " +
                "with no bar leave no lookup over " + doc.get("slowSeconds").asInt() + " s.", charts, out);
    }

    private static void dropsAndHidden(final JsonNode doc, final Path charts, final ArrayNode out) throws IOException
    {
        // the first family's scenario without a workaround at 2 backends: the race as a default cluster meets it
        JsonNode s = doc.get("scenarios").get(0);
        for (final JsonNode c : doc.get("scenarios"))
        {
            if (c.get("family").equals(s.get("family")) && c.get("workaround").asText().equals(Workaround.NONE.id()) &&
                c.get("backends").asInt() == 2)
            {
                s = c;
                break;
            }
        }
        final List<String> designs = designs(doc);
        final List<Long> drops = new ArrayList<>();
        final List<Long> hidden = new ArrayList<>();
        final List<Long> entries = new ArrayList<>();
        for (final String d : designs)
        {
            final JsonNode r = result(s, d);
            drops.add(r.get("dropped").asLong());
            hidden.add(r.get("hiddenEntries").asLong());
            entries.add(r.get("entries").asLong());
        }
        final CategoryChart chart = chart("Drops and hidden entries, " + s.get("id").asText(), "design", "count");
        chart.addSeries("packets dropped", designs, drops);
        chart.addSeries("hidden reply-only entries", designs, hidden);
        chart.addSeries("entries listed", designs, entries);
        save(chart, "drops-hidden", "Drops and hidden entries per design (" + s.get("id").asText() + ")",
            "What each design does with the racing packets of one scenario: a dropped packet is a lookup stalled, " +
                "a hidden entry is table space conntrack -L does not show.", charts, out);
    }

    private static void throughput(final JsonNode file, final int index, final Path charts, final ArrayNode out)
        throws IOException
    {
        final Throughput t = Throughput.of(file);
        if (t.flows() == null)
        {
            return;
        }
        final List<String> designs = new ArrayList<>();
        final List<Double> nf = new ArrayList<>();
        final List<Double> est = new ArrayList<>();
        for (final io.flowclash.datapath.Designs.Design d : io.flowclash.datapath.Designs.all())
        {
            final ObjectNode row = t.forDesign(d.id());
            if (row != null)
            {
                designs.add(d.id());
                nf.add(row.get("newFlowMops").asDouble());
                est.add(row.has("establishedMops") ? row.get("establishedMops").asDouble() : 0.0);
            }
        }
        if (designs.isEmpty())
        {
            return;
        }
        final CategoryChart chart = chart("Per-packet throughput, " + t.flows() + " flows (JMH, one thread)",
            "design", "million packets per second");
        chart.addSeries("new flow (A+AAAA pair)", designs, nf);
        chart.addSeries("established flow", designs, est);
        for (final JsonNode ref : t.references())
        {
            final List<Double> y = new ArrayList<>();
            for (int i = 0; i < designs.size(); i++)
            {
                y.add(ref.get("mops").asDouble());
            }
            final CategorySeries line = chart.addSeries("reference: " + Throughput.label(ref), designs, y);
            line.setChartCategorySeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Line);
        }
        save(chart, "throughput-" + index, "Per-packet throughput per design (" + t.fileName() + ")",
            "Packets per second each design takes on one thread, beside references measured in the same JMH run: " +
                "read the ratio to the reference line, not the absolute figure.", charts, out);
    }

    private static void kernelVsModel(final JsonNode lab, final int index, final Path charts, final ArrayNode out)
        throws IOException
    {
        final List<String> x = List.of("clashes (clash_resolve)", "hidden entries", "entries listed", "drops");
        final List<String> keys = List.of("clashResolve", "hiddenEntries", "entries", "dropped");
        final List<Long> kernel = new ArrayList<>();
        final List<Long> model = new ArrayList<>();
        for (final String k : keys)
        {
            kernel.add(lab.get("kernelFigures").get(k).asLong());
            model.add(lab.get("modelFigures").get(k).asLong());
        }
        final CategoryChart chart = chart("Kernel " + lab.get("kernel").asText() + " vs model, " +
            lab.get("scenario").asText(), "figure", "count");
        chart.addSeries("kernel " + lab.get("kernel").asText(), x, kernel);
        chart.addSeries("model " + lab.get("modelDesign").asText(), x, model);
        save(chart, "kernel-vs-model-" + index, "Kernel vs model (" + lab.get("run").asText() + ")",
            "The real kernel's counters beside the model's for the same pairs and backends: bars of equal height " +
                "are the model agreeing with this kernel.", charts, out);
    }

    static CategoryChart chart(final String title, final String x, final String y)
    {
        final CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x)
            .yAxisTitle(y).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setXAxisLabelRotation(20);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setPlotGridVerticalLinesVisible(false);
        c.getStyler().setOverlapped(false);
        return c;
    }

    static String slug(final String s)
    {
        return s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    static void save(final org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, final String id,
        final String title, final String caption, final Path charts, final ArrayNode out) throws IOException
    {
        BitmapEncoder.saveBitmap(chart, charts.resolve(id + ".png").toString(), BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, charts.resolve(id + ".svg").toString(),
            VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        out.addObject().put("id", id).put("title", title).put("caption", caption)
            .put("svg", "charts/" + id + ".svg").put("png", "charts/" + id + ".png");
    }
}
