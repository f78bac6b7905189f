package io.flowclash.report;

import java.util.List;

/**
 * {@code report.md}: the report's blocks as GitHub Markdown, charts as PNG links beside it, for a PR or a wiki.
 */
final class MarkdownReport
{
    private MarkdownReport()
    {
    }

    /** @param blocks the report. @return the Markdown. */
    static String render(final List<ReportBlocks.Block> blocks)
    {
        final StringBuilder sb = new StringBuilder(64 * 1024);
        for (final ReportBlocks.Block b : blocks)
        {
            if (b instanceof ReportBlocks.Heading h)
            {
                sb.append("#".repeat(h.level())).append(' ').append(h.text()).append("\n\n");
            }
            else if (b instanceof ReportBlocks.Paragraph p)
            {
                sb.append(p.text()).append("\n\n");
            }
            else if (b instanceof ReportBlocks.Code c)
            {
                sb.append("```\n").append(c.text()).append("\n```\n\n");
            }
            else if (b instanceof ReportBlocks.Chart c)
            {
                sb.append("![").append(c.title()).append("](").append(c.png()).append(")\n\n*")
                    .append(c.caption()).append("*\n\n");
            }
            else if (b instanceof ReportBlocks.Table t)
            {
                sb.append(t.caption()).append("\n\n");
                row(sb, t.header());
                sb.append('|');
                for (int i = 0; i < t.header().size(); i++)
                {
                    sb.append(i == 0 ? "---|" : "---:|");
                }
                sb.append('\n');
                for (final List<String> r : t.rows())
                {
                    row(sb, r);
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static void row(final StringBuilder sb, final List<String> cells)
    {
        sb.append('|');
        for (final String c : cells)
        {
            sb.append(' ').append(c.replace("|", "\\|")).append(" |");
        }
        sb.append('\n');
    }
}
