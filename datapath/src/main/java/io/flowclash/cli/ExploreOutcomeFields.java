package io.flowclash.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fields of one explorer outcome for {@code explore --json}, read from its description (the one string the
 * explorer prints, kept beside the fields): {@code <verdicts> | <counters> | <table>}, where the verdicts are
 * {@code A=reason[->bN[:moved-port]]} per packet and {@code replyA=reason} per reply, the counters are
 * {@code name=value} (or {@code no counters}), and the table entries, joined by {@code "; "}, are
 * {@code visible|hidden <original tuple> -> <reply tuple>[ (N ms)]}.
 *
 * <p>A description in any other shape is an internal error (the explorer and this reader disagree), reported as
 * such, never papered over.
 */
final class ExploreOutcomeFields
{
    private static final Pattern VERDICT = Pattern.compile("([A-Z])=([a-z_]+)(?:->([^ ]+))?");
    private static final Pattern REPLY = Pattern.compile("reply([A-Z])=([a-z_]+)");
    private static final Pattern COUNTER = Pattern.compile("([a-z_]+)=(\\d+)");
    private static final Pattern ENTRY = Pattern.compile("(visible|hidden) (.+?) -> (.+?)(?: \\((\\d+) ms\\))?");

    private ExploreOutcomeFields()
    {
    }

    /**
     * Append {@code verdicts}, {@code replies}, {@code backends}, {@code counters} and {@code table} to the open
     * outcome object.
     *
     * @param j           the JSON writer, inside the outcome's object.
     * @param description the outcome's description.
     */
    static void append(final Json j, final String description)
    {
        final String[] parts = description.split(" \\| ", -1);
        if (parts.length != 3)
        {
            throw new IllegalStateException("explorer outcome not in 'verdicts | counters | table' form: " +
                description);
        }
        j.name("verdicts").beginObject();
        final StringBuilder replies = new StringBuilder();
        for (final String token : parts[0].trim().split(" "))
        {
            final Matcher v = VERDICT.matcher(token);
            final Matcher r = REPLY.matcher(token);
            if (r.matches())
            {
                replies.append(r.group(1)).append('=').append(r.group(2)).append(' ');
            }
            else if (v.matches())
            {
                j.field(v.group(1), v.group(2));
            }
            else
            {
                throw new IllegalStateException("explorer outcome verdict '" + token + "' not understood: " +
                    description);
            }
        }
        j.endObject();
        j.name("backends").beginObject();
        for (final String token : parts[0].trim().split(" "))
        {
            final Matcher v = VERDICT.matcher(token);
            if (v.matches() && !token.startsWith("reply"))
            {
                if (v.group(3) == null)
                {
                    j.name(v.group(1)).value((String)null);
                }
                else
                {
                    j.field(v.group(1), v.group(3));
                }
            }
        }
        j.endObject();
        j.name("replies").beginObject();
        for (final String token : replies.toString().trim().split(" "))
        {
            if (!token.isEmpty())
            {
                final int eq = token.indexOf('=');
                j.field(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        j.endObject();
        j.name("counters").beginObject();
        if (!parts[1].trim().equals("no counters"))
        {
            for (final String token : parts[1].trim().split(" "))
            {
                final Matcher c = COUNTER.matcher(token);
                if (!c.matches())
                {
                    throw new IllegalStateException("explorer outcome counter '" + token + "' not understood: " +
                        description);
                }
                j.field(c.group(1), Long.parseLong(c.group(2)));
            }
        }
        j.endObject();
        j.name("table").beginArray();
        if (!parts[2].trim().isEmpty())
        {
            for (final String entry : parts[2].trim().split("; "))
            {
                final Matcher m = ENTRY.matcher(entry);
                if (!m.matches())
                {
                    throw new IllegalStateException("explorer outcome table entry '" + entry + "' not understood: " +
                        description);
                }
                j.beginObject().field("hidden", m.group(1).equals("hidden")).field("original", m.group(2))
                    .field("reply", m.group(3));
                if (m.group(4) != null)
                {
                    j.field("expiresInMs", Long.parseLong(m.group(4)));
                }
                j.endObject();
            }
        }
        j.endArray();
    }
}
