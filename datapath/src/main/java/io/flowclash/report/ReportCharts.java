package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
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
            final JsonNode first = firstOf(doc, family.asText());
            if (first.get("race").asText().equals("always"))
            {
                latency(doc, family.asText(), charts, out);
            }
        }
        for (final JsonNode family : families(doc))
        {
            // every resolver when every pair races; the other race modes for glibc's default only
            final JsonNode first = firstOf(doc, family.asText());
            if (first.get("race").asText().equals("always") ||
                first.get("resolver").asText().equals(Resolver.GLIBC.id()))
            {
                slowShare(doc, family.asText(), charts, out);
            }
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

    private static JsonNode firstOf(final JsonNode doc, final String family)
    {
        for (final JsonNode s : doc.get("scenarios"))
        {
            if (s.get("family").asText().equals(family))
            {
                return s;
            }
        }
        throw new IllegalStateException("no scenario of family " + family);
    }

    /** The family's scenario without a workaround at 2 backends, else its first. */
    private static JsonNode plain(final JsonNode doc, final String family)
    {
        for (final JsonNode c : doc.get("scenarios"))
        {
            if (c.get("family").asText().equals(family) &&
                c.get("workaround").asText().equals(Workaround.NONE.id()) && c.get("backends").asInt() == 2)
            {
                return c;
            }
        }
        return firstOf(doc, family);
    }

    private static void latency(final JsonNode doc, final String family, final Path charts, final ArrayNode out)
        throws IOException
    {
        final JsonNode s = plain(doc, family);
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
            .title("Lookup latency by percentile, " + s.get("id").asText()).xAxisTitle("percentile")
            .yAxisTitle("lookup latency (ms, log scale)").build();
        style(chart.getStyler());
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(4.0);
        // x = log10(1 / (1 - percentile)), a linear axis: 0 is 0 %, 1 is 90 %, 2 is 99 %, 3 is 99.9 %, 4 is 99.99 %
        // (a custom label formatter on XChart's logarithmic axis steps linearly through the decades: it never ends)
        chart.setCustomXAxisTickLabelsFormatter(x -> Math.abs(x - Math.rint(x)) > 1e-9 ? "" :
            Figures.show(Figures.round(100.0 * (1 - Math.pow(10, -Math.rint(x))), 2)) + "%");
        int series = 0;
        for (final JsonNode r : s.get("results"))
        {
            final JsonNode points = r.path("report").path("latencyPercentilesMs");
            final List<Double> x = new ArrayList<>();
            final List<Double> y = new ArrayList<>();
            for (final JsonNode p : points)
            {
                if (p.get("ms").asDouble() > 0)
                {
                    x.add(Math.log10(1 / (1 - p.get("percentile").asDouble() / 100)));
                    y.add(p.get("ms").asDouble());
                }
            }
            if (!x.isEmpty())
            {
                chart.addSeries(r.get("design").asText(), x, y);
                series++;
            }
        }
        if (series == 0)
        {
            return;
        }
        save(chart, "latency-" + slug(family), "Lookup latency per design (" + family + ")",
            "How long each design makes a lookup take, by percentile, on a log scale: a step up to seconds is a " +
                "resolver timeout, and the percentile where it starts is the share of lookups that waited.",
            charts, out);
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
            chart.addSeries(s.get("workaround").asText() + (s.get("backends").asInt() == 1 ? "" :
                ", " + s.get("backends").asInt() + " backends"), designs, y);
        }
        save(chart, "slow-lookups-" + slug(family), "Slow lookups per design and workaround (" + family + ")",
            "Share of lookups that waited for a resolver timeout, per design and workaround: a design and workaround " +
                "with no bar leave no lookup over " + doc.get("slowSeconds").asInt() + " s.", charts, out);
    }

    /**
     * Drops and hidden entries of one scenario per design. The hidden entries are counted as the run's reply-only
     * inserts (the {@code clash_inserted} verdict: {@code nf_ct_resolve_clash_harder}'s NAT_CLASH entry, 6a757c07e51f),
     * not read at the end of the run: such an entry lives 1 s (fixed timeout; 5.6-5.8.7 kill it on its first reply),
     * so none is left when a {@code dns-lookups} run ends.
     */
    private static void dropsAndHidden(final JsonNode doc, final Path charts, final ArrayNode out) throws IOException
    {
        // the first family's scenario without a workaround at 2 backends: the race as a default cluster meets it
        final JsonNode s = plain(doc, doc.get("scenarios").get(0).get("family").asText());
        final List<String> designs = designs(doc);
        final List<Long> drops = new ArrayList<>();
        final List<Long> hidden = new ArrayList<>();
        final List<Long> entries = new ArrayList<>();
        for (final String d : designs)
        {
            final JsonNode r = result(s, d);
            drops.add(r.get("dropped").asLong());
            hidden.add(r.get("verdicts").get("clash_inserted").asLong());
            entries.add(r.get("entries").asLong());
        }
        final CategoryChart chart = chart("Drops and hidden entries, " + s.get("id").asText(), "design", "count");
        chart.addSeries("packets dropped", designs, drops);
        chart.addSeries("reply-only (hidden) entries inserted", designs, hidden);
        chart.addSeries("entries listed at the end", designs, entries);
        save(chart, "drops-hidden", "Drops and hidden entries per design (" + s.get("id").asText() + ")",
            "What each design does with the racing packets of one scenario, over the whole run: a dropped packet is " +
                "a lookup stalled; a reply-only (NAT_CLASH) entry inserted took table space conntrack -L does not " +
                "show, for up to 1 s.", charts, out);
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
        for (final io.flowclash.datapath.design.Designs.Design d : io.flowclash.datapath.design.Designs.all())
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
        chart.addSeries("new flow (its first packet)", designs, nf);
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
        final JsonNode runs = lab.get("runs");
        final CategoryChart chart;
        if (runs.size() == 1)
        {
            final JsonNode run = runs.get(0);
            final List<String> x = new ArrayList<>();
            final List<Long> kernel = new ArrayList<>();
            final List<Long> model = new ArrayList<>();
            for (final JsonNode f : run.get("figures"))
            {
                x.add(f.get("figure").asText());
                kernel.add(f.get("kernel").asLong());
                model.add(f.get("model").asLong());
            }
            chart = chart("Kernel " + lab.get("kernel").asText() + " vs model, " + run.get("scenario").asText(),
                "figure", "count");
            chart.addSeries("kernel " + lab.get("kernel").asText(), x, kernel);
            chart.addSeries("model " + run.get("modelDesign").asText(), x, model);
        }
        else
        {
            // a scenario table: one group of bars per row, kernel and model for each figure the rows share
            chart = chart("Kernel " + lab.get("kernel").asText() + " vs model per lab scenario", "lab scenario",
                "count");
            final List<String> x = new ArrayList<>();
            for (final JsonNode r : runs)
            {
                x.add(r.get("run").asText());
            }
            final JsonNode figures = runs.get(0).get("figures");
            for (int f = 0; f < figures.size(); f++)
            {
                final List<Long> kernel = new ArrayList<>();
                final List<Long> model = new ArrayList<>();
                for (final JsonNode r : runs)
                {
                    kernel.add(r.get("figures").get(f).get("kernel").asLong());
                    model.add(r.get("figures").get(f).get("model").asLong());
                }
                chart.addSeries("kernel: " + figures.get(f).get("figure").asText(), x, kernel);
                chart.addSeries("model: " + figures.get(f).get("figure").asText(), x, model);
            }
        }
        save(chart, "kernel-vs-model-" + index, "Kernel vs model (" + lab.get("file").asText() + ")",
            "The real kernel's figures beside the model's for the same workload: bars of equal height are the " +
                "model agreeing with this kernel.", charts, out);
    }

    static CategoryChart chart(final String title, final String x, final String y)
    {
        final CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x)
            .yAxisTitle(y).build();
        style(c.getStyler());
        c.getStyler().setXAxisLabelRotation(20);
        c.getStyler().setPlotGridVerticalLinesVisible(false);
        c.getStyler().setOverlapped(false);
        return c;
    }

    private static void style(final org.knowm.xchart.style.AxesChartStyler st)
    {
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setLegendLayout(Styler.LegendLayout.Vertical);
        st.setChartBackgroundColor(java.awt.Color.WHITE);
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
