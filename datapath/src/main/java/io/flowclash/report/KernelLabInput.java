package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;

/**
 * Reads the output of {@code flowclash kernel-lab --json} (one lab run: the kernel's readings and the model run
 * beside it) and keeps the figures the report sets side by side: clashes, hidden entries, listed entries, drops.
 */
final class KernelLabInput
{
    private KernelLabInput()
    {
    }

    /**
     * @param file   the file given to {@code --kernel-lab}.
     * @param mapper the mapper.
     * @return {@code {"file", "run", "kernel", "scenario", "pairs", "backends", "kernelFigures": {...},
     *     "modelDesign", "modelFigures": {...}}} with the same four figures on both sides.
     * @throws io.flowclash.datapath.FlowclashException naming the file and field that is wrong.
     */
    static ObjectNode read(final Path file, final ObjectMapper mapper)
    {
        final JsonInput.Parsed p = JsonInput.parse("--kernel-lab", file, mapper);
        final JsonNode root = p.object(p.root(), "(top level: kernel-lab --json writes an object)");
        final ObjectNode out = mapper.createObjectNode();
        out.put("file", file.toString());
        out.put("run", p.text(root, "", "run"));
        out.put("kernel", p.text(root, "", "kernel"));
        final long pairs = p.count(root, "", "pairs");
        final long backends = p.count(root, "", "backends");
        out.put("pairs", pairs);
        out.put("backends", backends);
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
        final ObjectNode kf = out.putObject("kernelFigures");
        kf.put("clashResolve", clash);
        kf.put("hiddenEntries", count - listed);
        kf.put("entries", listed);
        kf.put("dropped", drops);
        final JsonNode m = p.object(root.get("model"), "model");
        out.put("modelDesign", p.text(m, "model.", "design"));
        final ObjectNode mf = out.putObject("modelFigures");
        mf.put("clashResolve", p.count(m, "model.", "clashResolve"));
        mf.put("hiddenEntries", p.count(m, "model.", "hiddenEntries"));
        mf.put("entries", p.count(m, "model.", "entries"));
        mf.put("dropped", p.count(m, "model.", "dropped"));
        return out;
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
