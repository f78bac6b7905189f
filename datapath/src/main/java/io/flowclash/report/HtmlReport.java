package io.flowclash.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code index.html}: one self-contained page (inline CSS, charts as inline SVG; no script, no font or file from
 * any host), readable offline and printable.
 */
final class HtmlReport
{
    private static final String CSS = String.join("\n",
        "body{font-family:'DejaVu Sans',Arial,Helvetica,sans-serif;margin:2em auto;max-width:1100px;color:#222;" +
            "line-height:1.4;padding:0 1em}",
        "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:2em}h3{margin-top:1.5em}",
        "table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.85em}",
        "th,td{border:1px solid #ccc;padding:.2em .5em;text-align:right;vertical-align:top}",
        "th:first-child,td:first-child,td.t{text-align:left}th{background:#f0f0f0}",
        "caption{caption-side:top;text-align:left;padding:.3em 0;color:#444}",
        "code,pre{font-family:'DejaVu Sans Mono',monospace;font-size:.9em}",
        "pre{background:#f6f6f6;padding:.5em;overflow-x:auto}",
        "figure{margin:1em 0 2em}figure svg{max-width:100%;height:auto;border:1px solid #eee}",
        "figcaption{color:#444;font-style:italic}",
        "@media print{body{max-width:none;margin:0}figure,table{page-break-inside:avoid}pre{white-space:pre-wrap}}");

    /** A cell that is a figure (right-aligned): a number, maybe a percent, maybe a figure in brackets after it. */
    private static final java.util.regex.Pattern NUMERIC =
        java.util.regex.Pattern.compile("-|-?[0-9][0-9.]*%?( \\([^)]*\\))?");

    private HtmlReport()
    {
    }

    /**
     * @param blocks the report.
     * @param dir    the report directory (charts are read from it to be inlined).
     * @return the page.
     */
    static String render(final List<ReportBlocks.Block> blocks, final Path dir)
    {
        final StringBuilder sb = new StringBuilder(512 * 1024);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .append("<title>flowclash compare</title>\n<style>\n").append(CSS).append("\n</style>\n</head>\n<body>\n");
        int chart = 0;
        for (final ReportBlocks.Block b : blocks)
        {
            if (b instanceof ReportBlocks.Heading h)
            {
                sb.append("<h").append(h.level()).append('>').append(inline(h.text())).append("</h")
                    .append(h.level()).append(">\n");
            }
            else if (b instanceof ReportBlocks.Paragraph p)
            {
                sb.append("<p>").append(inline(p.text())).append("</p>\n");
            }
            else if (b instanceof ReportBlocks.Code c)
            {
                sb.append("<pre>").append(escape(c.text())).append("</pre>\n");
            }
            else if (b instanceof ReportBlocks.Chart c)
            {
                sb.append("<figure class=\"chart\" id=\"chart-").append(chart++).append("\">\n")
                    .append(svg(dir.resolve(c.svg()), "c" + chart + "-")).append("\n<figcaption>")
                    .append(escape(c.caption()))
                    .append("</figcaption>\n</figure>\n");
            }
            else if (b instanceof ReportBlocks.Table t)
            {
                sb.append("<table>\n<caption>").append(inline(t.caption())).append("</caption>\n<tr>");
                for (final String h : t.header())
                {
                    sb.append("<th>").append(inline(h)).append("</th>");
                }
                sb.append("</tr>\n");
                for (final List<String> r : t.rows())
                {
                    sb.append("<tr>");
                    for (final String c : r)
                    {
                        sb.append(NUMERIC.matcher(c).matches() ? "<td>" : "<td class=\"t\">").append(inline(c))
                            .append("</td>");
                    }
                    sb.append("</tr>\n");
                }
                sb.append("</table>\n");
            }
        }
        return sb.append("</body>\n</html>\n").toString();
    }

    /**
     * The SVG element of a chart file, without its XML prolog, to sit inline in the page; its ids (clip paths) get a
     * per-chart prefix, since ids are one namespace across every SVG inlined in one page.
     */
    private static String svg(final Path file, final String prefix)
    {
        try
        {
            final String s = Files.readString(file, StandardCharsets.UTF_8);
            final int start = s.indexOf("<svg");
            if (start < 0)
            {
                throw new IllegalStateException(file + " holds no <svg> element");
            }
            return s.substring(start).trim().replace("id=\"", "id=\"" + prefix).replace("url(#", "url(#" + prefix)
                .replace("href=\"#", "href=\"#" + prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Escapes, then turns {@code `x`} into {@code <code>x</code>}. */
    static String inline(final String text)
    {
        final String e = escape(text);
        final StringBuilder sb = new StringBuilder(e.length() + 16);
        boolean open = false;
        for (int i = 0; i < e.length(); i++)
        {
            final char ch = e.charAt(i);
            if (ch == '`')
            {
                sb.append(open ? "</code>" : "<code>");
                open = !open;
            }
            else
            {
                sb.append(ch);
            }
        }
        if (open)
        {
            sb.append("</code>");
        }
        return sb.toString();
    }

    static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
