package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;

/**
 * Reads the output of {@code flowclash kernel-lab --json} and keeps the figures the report sets side by side, kernel
 * and model: for one lab run (its readings and the model run beside it) clashes, hidden entries, listed entries and
 * drops; for a scenario table (real resolvers through the kernel, the model's prediction beside each row) lookups
 * over 1 s and clashes.
 */
final class KernelLabInput
{
    private KernelLabInput()
    {
    }

    /**
     * @param file   the file given to {@code --kernel-lab}.
     * @param mapper the mapper.
     * @return {@code {"file", "kernel", "runs": [{"run", "scenario", "modelDesign", "figures": [{"figure",
     *     "kernel", "model"}]}]}}: one run for a single lab run, one per row for a scenario table
     *     ({@code --matrix} or {@code --scenario}: {@code {"kernel", "scenarios": [...]}}).
     * @throws io.flowclash.datapath.FlowclashException naming the file and field that is wrong.
     */
    static ObjectNode read(final Path file, final ObjectMapper mapper)
    {
        final JsonInput.Parsed p = JsonInput.parse("--kernel-lab", file, mapper);
        final JsonNode root = p.object(p.root(), "(top level: kernel-lab --json writes an object)");
        final ObjectNode out = mapper.createObjectNode();
        out.put("file", file.toString());
        out.put("kernel", p.text(root, "", "kernel"));
        final ArrayNode runs = out.putArray("runs");
        if (root.has("scenarios"))
        {
            final JsonNode rows = p.array(root.get("scenarios"), "scenarios");
            if (rows.isEmpty())
            {
                throw p.error("scenarios", "no scenario");
            }
            for (int i = 0; i < rows.size(); i++)
            {
                runs.add(row(p, p.object(rows.get(i), "scenarios[" + i + "]"), "scenarios[" + i + "].", mapper));
            }
        }
        else
        {
            runs.add(single(p, root, mapper));
        }
        return out;
    }

    /** One row of the scenario table: real resolvers' lookups through the kernel beside the model's prediction. */
    private static ObjectNode row(final JsonInput.Parsed p, final JsonNode r, final String at,
        final ObjectMapper mapper)
    {
        final ObjectNode o = mapper.createObjectNode();
        o.put("run", p.text(r, at, "run"));
        final StringBuilder sc = new StringBuilder();
        for (final String k : new String[]{"era", "lb", "resolver", "resolvOptions"})
        {
            if (r.hasNonNull(k) && r.get(k).isTextual())
            {
                sc.append(sc.length() == 0 ? "" : ", ").append(r.get(k).asText());
            }
        }
        if (r.path("notrack").asBoolean(false))
        {
            sc.append(", NOTRACK");
        }
        o.put("scenario", sc.toString());
        final JsonNode k = p.object(r.get("kernel"), at + "kernel");
        final JsonNode m = p.object(r.get("model"), at + "model");
        o.put("modelDesign", p.text(m, at + "model.", "design"));
        final ArrayNode f = o.putArray("figures");
        figure(f, "lookups over 1 s", p.count(r, at, "slowerThan1s"), p.count(m, at + "model.", "stalled"));
        figure(f, "clashes (clash_resolve)", p.count(k, at + "kernel.", "clashResolve"),
            p.count(m, at + "model.", "clashResolve"));
        return o;
    }

    private static ObjectNode single(final JsonInput.Parsed p, final JsonNode root, final ObjectMapper mapper)
    {
        final ObjectNode out = mapper.createObjectNode();
        out.put("run", p.text(root, "", "run"));
        final long pairs = p.count(root, "", "pairs");
        final long backends = p.count(root, "", "backends");
        out.put("scenario", describe(root, pairs, backends));
        final JsonNode k = p.object(root.get("kernelReadings"), "kernelReadings");
        final long clash = p.count(k, "kernelReadings.", "clashResolve");
        final long count = p.count(k, "kernelReadings.", "entriesCount");
        final long listed = p.count(k, "kernelReadings.", "entriesListed");
        if (listed > count)
        {
            throw p.error("kernelReadings.entriesListed", listed + " listed exceeds entriesCount " + count);
        }
        long drops = 0;
        final JsonNode stat = k.get("stat");
        if (stat != null && !stat.isNull())
        {
            p.object(stat, "kernelReadings.stat");
            drops += stat.has("drop") ? p.count(stat, "kernelReadings.stat.", "drop") : 0;
            drops += stat.has("insert_failed") ? p.count(stat, "kernelReadings.stat.", "insert_failed") : 0;
        }
        final JsonNode m = p.object(root.get("model"), "model");
        out.put("modelDesign", p.text(m, "model.", "design"));
        final ArrayNode f = out.putArray("figures");
        figure(f, "clashes (clash_resolve)", clash, p.count(m, "model.", "clashResolve"));
        figure(f, "hidden entries", count - listed, p.count(m, "model.", "hiddenEntries"));
        figure(f, "entries listed", listed, p.count(m, "model.", "entries"));
        figure(f, "drops", drops, p.count(m, "model.", "dropped"));
        return out;
    }

    private static void figure(final ArrayNode f, final String name, final long kernel, final long model)
    {
        f.addObject().put("figure", name).put("kernel", kernel).put("model", model);
    }

    private static String describe(final JsonNode root, final long pairs, final long backends)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(pairs).append(" pairs, ").append(backends).append(" backend(s)");
        final JsonNode mode = root.get("mode");
        if (mode != null && mode.isTextual())
        {
            sb.append(", ").append(mode.asText());
        }
        final JsonNode placement = root.get("placement");
        if (placement != null && placement.isTextual())
        {
            sb.append(", ").append(placement.asText());
        }
        final JsonNode notrack = root.get("notrack");
        if (notrack != null && notrack.asBoolean(false))
        {
            sb.append(", NOTRACK");
        }
        final JsonNode emulate = root.get("emulate");
        if (emulate != null && emulate.isTextual() && !emulate.asText().equals("none"))
        {
            sb.append(", emulating ").append(emulate.asText());
        }
        return sb.toString();
    }
}
