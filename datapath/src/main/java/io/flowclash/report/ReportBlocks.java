package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The report's content as a list of blocks (headings, paragraphs, tables, charts, commands), built from the parsed
 * {@code results.json} alone; {@link MarkdownReport} and {@link HtmlReport} render the same blocks, so the Markdown
 * and the HTML hold the same tables and every figure in them is one of the document's.
 */
final class ReportBlocks
{
    /** A block of the report. */
    sealed interface Block permits Heading, Paragraph, Table, Chart, Code
    {
    }

    /** @param level 1..3. @param text heading. */
    record Heading(int level, String text) implements Block
    {
    }

    /** @param text a paragraph; {@code `x`} marks code. */
    record Paragraph(String text) implements Block
    {
    }

    /** @param caption one line above the table. @param header column names. @param rows cells. */
    record Table(String caption, List<String> header, List<List<String>> rows) implements Block
    {
    }

    /** @param title title. @param caption what to read from it. @param svg relative path. @param png relative path. */
    record Chart(String title, String caption, String svg, String png) implements Block
    {
    }

    /** @param text a command line. */
    record Code(String text) implements Block
    {
    }

    private ReportBlocks()
    {
    }

    /** @param doc the parsed {@code results.json}. @return the blocks, in order. */
    static List<Block> of(final JsonNode doc)
    {
        final List<Block> b = new ArrayList<>();
        final String slow = doc.get("slowSeconds").asText() + " s";
        b.add(new Heading(1, "flowclash compare: DNS race, designs and workarounds"));
        final JsonNode m = doc.get("machine");
        final JsonNode v = doc.get("versions");
        b.add(new Paragraph("Generated " + doc.get("generated").asText() + " by flowclash " +
            v.get("flowclash").asText() + " (" + doc.get("mode").asText() + " matrix, " +
            doc.get("scenarioCount").asText() + " scenarios, " + Figures.show(doc.get("matrixWallMs").asDouble()) +
            " ms) on " + m.get("cpus").asText() + " CPUs (" + m.get("cpuModel").asText() + "), " +
            m.get("memory").asText() + ", " + m.get("os").asText() + " " + m.get("kernel").asText() + " " +
            m.get("arch").asText() + ", load average " + m.get("loadAverage").asText() + "; Java " +
            v.get("java").asText() + " (" + v.get("javaVm").asText() +
            "), Jackson " + v.get("jackson").asText() + ", XChart " + v.get("xchart").asText() + "."));
        b.add(new Paragraph("Every scenario is one `flowclash run` invocation over the same seeded lookups (its " +
            "command is above its table): rerun it to get the same figures, except under `race real`, where the " +
            "operating system's thread scheduling decides which pairs overlap, so its figures change from run to " +
            "run. A design holds in a scenario only when the race was put to it: under `race real`, when a pair of " +
            "its queries met in the table. A slow lookup is one that waited " +
            "for a resolver timeout, over " + slow + ": a query dropped, or a reply the client ignores. All figures " +
            "are in `results.json`."));

        b.add(new Heading(2, "Verdicts"));
        for (final JsonNode f : doc.get("verdicts"))
        {
            verdict(b, f, slow);
        }

        b.add(new Heading(2, "Charts"));
        for (final JsonNode c : doc.get("charts"))
        {
            b.add(new Chart(c.get("title").asText(), c.get("caption").asText(), c.get("svg").asText(),
                c.get("png").asText()));
        }

        if (!doc.get("jmh").isEmpty())
        {
            b.add(new Heading(2, "Throughput (JMH)"));
            for (final JsonNode file : doc.get("jmh"))
            {
                jmh(b, file);
            }
        }
        if (!doc.get("kernelLab").isEmpty())
        {
            b.add(new Heading(2, "Kernel lab: the real kernel beside the model"));
            final List<List<String>> rows = new ArrayList<>();
            for (final JsonNode lab : doc.get("kernelLab"))
            {
                for (final JsonNode run : lab.get("runs"))
                {
                    for (final JsonNode f : run.get("figures"))
                    {
                        rows.add(List.of(run.get("run").asText(), lab.get("kernel").asText(),
                            run.get("scenario").asText(), f.get("figure").asText(), show(f.get("kernel")),
                            run.get("modelDesign").asText(), show(f.get("model"))));
                    }
                }
            }
            b.add(new Table("Kernel-lab runs given with --kernel-lab.",
                List.of("run", "kernel", "scenario", "figure", "kernel", "model design", "model"), rows));
        }

        b.add(new Heading(2, "Scenarios"));
        for (final JsonNode s : doc.get("scenarios"))
        {
            scenario(b, s);
        }
        return b;
    }

    private static void verdict(final List<Block> b, final JsonNode f, final String slow)
    {
        b.add(new Heading(3, f.get("family").asText()));
        final List<String> bare = new ArrayList<>();
        final List<List<String>> rows = new ArrayList<>();
        for (final JsonNode d : f.get("designs"))
        {
            final String id = d.get("design").asText();
            if (d.get("holdsWithoutWorkaround").asBoolean())
            {
                bare.add("`" + id + "` (" + d.get("kernels").asText() + ")");
            }
            long maxEntries = -1;
            long maxInserts = -1;
            for (final JsonNode h : d.get("holds"))
            {
                maxEntries = Math.max(maxEntries, h.get("entries").asLong());
                maxInserts = Math.max(maxInserts, h.get("replyOnlyInserts").asLong());
            }
            final JsonNode t = d.get("throughput");
            rows.add(List.of("`" + id + "`", d.get("kernels").asText(), list(cells(d.get("holds"))),
                list(cells(d.get("fails"))), list(untested(d.get("untested"))),
                maxEntries < 0 ? "-" : maxEntries + " (" + maxInserts + " reply-only inserted)",
                t == null ? "-" : throughputCell(t)));
        }
        final boolean raceFree = f.get("pairsRaced").asLong() == 0;
        if (raceFree)
        {
            b.add(new Paragraph("This resolver sent no two queries of one socket together in any scenario of this " +
                "family (" + f.get("pairsRaced").asText() + " pairs raced): there is nothing to race, on every design" +
                (f.get("slowLookups").asLong() == 0 ? ", and no lookup took over " + slow : "") + ". The resolver " +
                "option is the workaround here; the designs are not put to the test."));
        }
        else
        {
            b.add(new Paragraph(bare.isEmpty() ?
                "No design was shown to leave every lookup under " + slow + " without a workaround in this family." :
                "No lookup over " + slow + " without any workaround, the race put to it: " + String.join(", ", bare) +
                    "."));
        }
        final List<String> withSome = new ArrayList<>();
        final List<String> never = new ArrayList<>();
        final List<String> notTested = new ArrayList<>();
        for (final JsonNode d : f.get("designs"))
        {
            if (d.get("holdsWithoutWorkaround").asBoolean())
            {
                continue;
            }
            final String who = "`" + d.get("design").asText() + "` (" + d.get("kernels").asText() + ")";
            final java.util.Set<String> ways = new java.util.LinkedHashSet<>();
            for (final JsonNode h : d.get("holds"))
            {
                final String w = h.get("workaround").asText();
                ways.add(w.equals(Workaround.NONE.id()) ? "no workaround where the race was seen" : w);
            }
            if (!ways.isEmpty())
            {
                withSome.add(who + " with " + String.join(" or ", ways));
            }
            else if (!d.get("fails").isEmpty())
            {
                never.add(who);
            }
            if (!d.get("untested").isEmpty())
            {
                notTested.add(who + " in " + String.join(", ", untested(d.get("untested"))));
            }
        }
        if (!withSome.isEmpty())
        {
            b.add(new Paragraph("Only with a workaround (in at least one backend count; the table says which): " +
                String.join("; ", withSome) + "."));
        }
        if (!never.isEmpty())
        {
            final java.util.Set<String> tried = new java.util.LinkedHashSet<>();
            for (final String kind : List.of("holds", "fails", "untested"))
            {
                for (final JsonNode c : f.get("designs").get(0).get(kind))
                {
                    tried.add(where(c));
                }
            }
            b.add(new Paragraph("Slow lookups wherever the race was put to it (" + String.join(", ", tried) +
                "): " + String.join("; ", never) + "."));
        }
        if (!notTested.isEmpty() && !raceFree)
        {
            b.add(new Paragraph("Not tested, its run saw no race (no verdict either way; `race always` forces the " +
                "race): " +
                String.join("; ", notTested) + "."));
        }
        if (raceFree)
        {
            return; // nothing put to any design: the scenario tables below hold the figures
        }
        b.add(new Table("Which scenarios (workaround/backends) leave no lookup over " + slow + " with the race put to " +
            "the design, which leave slow lookups, which saw no race; the cost where it holds: the most entries " +
            "listed at the end and reply-only (NAT_CLASH) entries inserted, and new-flow throughput from JMH when " +
            "given.",
            List.of("design", "kernels", "no lookup over " + slow + " with", "slow lookups with", "no race seen in",
                "entries where it holds", "new-flow Mpps (ratio to reference)"), rows));
    }

    private static String list(final List<String> cells)
    {
        return cells.isEmpty() ? "none" : String.join(", ", cells);
    }

    /** @return {@code where (no pair raced)} or {@code where (N pairs raced, none met)}. */
    private static List<String> untested(final JsonNode list)
    {
        final List<String> out = new ArrayList<>();
        for (final JsonNode c : list)
        {
            out.add(where(c) + (c.get("racedBatches").asLong() == 0 ? " (no pair raced)" :
                " (" + c.get("racedBatches").asText() + " pairs raced, none met in the table)"));
        }
        return out;
    }

    private static String throughputCell(final JsonNode t)
    {
        return show(t.get("newFlowMops")) + (t.has("newFlowRatio") ? " (" + show(t.get("newFlowRatio")) + ")" : "");
    }

    private static List<String> cells(final JsonNode list)
    {
        final List<String> out = new ArrayList<>();
        for (final JsonNode c : list)
        {
            out.add(c.get("slowLookups").asLong() == 0 ? where(c) :
                where(c) + " " + show(c.get("slowSharePercent")) + "%");
        }
        return out;
    }

    /** @return {@code workaround/backends}, or {@code one-replica}. */
    private static String where(final JsonNode c)
    {
        return c.get("workaround").asText().equals(Workaround.ONE_REPLICA.id()) ?
            c.get("workaround").asText() : c.get("workaround").asText() + "/" + c.get("backends").asText();
    }

    private static void jmh(final List<Block> b, final JsonNode file)
    {
        final Throughput t = Throughput.of(file);
        final List<List<String>> rows = new ArrayList<>();
        for (final JsonNode x : file.get("benchmarks"))
        {
            final StringBuilder params = new StringBuilder();
            x.get("params").fields().forEachRemaining(e ->
                params.append(params.length() == 0 ? "" : " ").append(e.getKey()).append('=')
                    .append(e.getValue().asText()));
            rows.add(List.of(x.get("benchmark").asText().replace("io.flowclash.jmh.", ""), params.toString(),
                x.get("mode").asText(), show(x.get("score")) + " " + x.get("unit").asText(), show(x.get("mops"))));
        }
        final StringBuilder refs = new StringBuilder();
        for (final JsonNode r : t.references())
        {
            refs.append(refs.length() == 0 ? "" : "; ").append(Throughput.label(r)).append(' ')
                .append(show(r.get("mops"))).append(" Mops/s");
        }
        b.add(new Table(file.get("file").asText() + (refs.length() == 0 ? ": no reference run in this file." :
            ": references measured in the same run: " + refs + "."),
            List.of("benchmark", "params", "mode", "score", "Mops/s"), rows));
    }

    private static void scenario(final List<Block> b, final JsonNode s)
    {
        b.add(new Heading(3, "`" + s.get("id").asText() + "`: " + s.get("family").asText() + ", " +
            s.get("backends").asText() + " backend(s), " + s.get("workaroundLabel").asText()));
        b.add(new Code(s.get("command").asText()));
        final List<List<String>> rows = new ArrayList<>();
        for (final JsonNode r : s.get("results"))
        {
            final JsonNode c = r.get("counters");
            final JsonNode lat = r.path("latencyMs");
            rows.add(List.of("`" + r.get("design").asText() + "`", show(r.get("processed")), show(r.get("accepted")),
                show(r.get("dropped")), show(r.get("lookups").get("total")),
                show(r.get("report").get("slowLookups")), show(r.get("report").get("slowSharePercent")),
                show(lat.get("p50")), show(lat.get("p99")), show(lat.get("max")),
                show(r.get("entries")), show(r.get("verdicts").get("clash_inserted")), show(r.get("racedBatches")),
                show(r.get("clashedBatches")), show(c.get("insert_failed")), show(c.get("clash_resolve"))));
        }
        b.add(new Table("Workload " + s.get("workload").asText() + "; latency in virtual-time ms; entries listed " +
            "at the end; reply-only (hidden) entries inserted during the run; query pairs raced, and those that met " +
            "in the table.",
            List.of("design", "processed", "accepted", "dropped", "lookups", "slow", "slow %", "p50 ms", "p99 ms",
                "max ms", "entries", "reply-only inserted", "raced", "clashed", "insert_failed", "clash_resolve"),
            rows));
    }

    static String show(final JsonNode n)
    {
        return n == null || n.isNull() ? "-" : Figures.show(n.asDouble());
    }
}
