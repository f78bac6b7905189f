package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads JMH's JSON result format ({@code -rf json}: an array of runs, each with {@code benchmark}, {@code mode},
 * optional {@code params} and {@code primaryMetric.score}/{@code scoreUnit}) and keeps what the report needs, with
 * every score also as million operations per second so that runs in different units sit on one axis.
 */
final class JmhInput
{
    private JmhInput()
    {
    }

    /**
     * @param file   the file given to {@code --jmh}.
     * @param mapper the mapper.
     * @return {@code {"file": ..., "benchmarks": [{benchmark, method, mode, params, score, scoreError, unit, mops}]}}.
     * @throws io.flowclash.datapath.FlowclashException naming the file and field that is wrong.
     */
    static ObjectNode read(final Path file, final ObjectMapper mapper)
    {
        final JsonInput.Parsed p = JsonInput.parse("--jmh", file, mapper);
        final JsonNode root = p.array(p.root(), "(top level: JMH -rf json writes an array)");
        if (root.isEmpty())
        {
            throw p.error("(top level)", "no benchmark results");
        }
        final ObjectNode out = mapper.createObjectNode();
        out.put("file", file.toString());
        final ArrayNode list = out.putArray("benchmarks");
        for (int i = 0; i < root.size(); i++)
        {
            final String at = "[" + i + "].";
            final JsonNode b = p.object(root.get(i), "[" + i + "]");
            final String benchmark = p.text(b, at, "benchmark");
            final String mode = p.text(b, at, "mode");
            final JsonNode metric = p.object(b.get("primaryMetric"), at + "primaryMetric");
            final double score = p.number(metric, at + "primaryMetric.", "score");
            final String unit = p.text(metric, at + "primaryMetric.", "scoreUnit");
            final double mops = mops(mode, score, unit);
            if (Double.isNaN(mops))
            {
                throw p.error(at + "primaryMetric.scoreUnit", "unit '" + unit + "' of mode '" + mode +
                    "' is not ops/s, ops/ms, ops/us, ops/ns (thrpt) or s/op, ms/op, us/op, ns/op (avgt, sample, ss)");
            }
            final ObjectNode e = list.addObject();
            e.put("benchmark", benchmark);
            e.put("method", benchmark.substring(benchmark.lastIndexOf('.') + 1));
            e.put("mode", mode);
            final ObjectNode params = e.putObject("params");
            final JsonNode given = b.get("params");
            if (given != null && !given.isNull())
            {
                p.object(given, at + "params");
                for (final Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); )
                {
                    final Map.Entry<String, JsonNode> f = it.next();
                    if (!f.getValue().isValueNode())
                    {
                        throw p.error(at + "params." + f.getKey(), "expected a value, found " + f.getValue());
                    }
                    params.put(f.getKey(), f.getValue().asText());
                }
            }
            e.put("score", score);
            final JsonNode err = metric.get("scoreError");
            final boolean hasError = err != null && err.isNumber() && Double.isFinite(err.asDouble());
            e.put("scoreError", hasError ? err.asDouble() : 0.0);
            e.put("unit", unit);
            e.put("mops", Figures.round(mops, 3));
        }
        return out;
    }

    /**
     * @param mode  JMH mode.
     * @param score the score.
     * @param unit  its unit.
     * @return million operations per second, or NaN for a unit not known.
     */
    static double mops(final String mode, final double score, final String unit)
    {
        final boolean thrpt = mode.equals("thrpt");
        switch (unit)
        {
            case "ops/s":
                return thrpt ? score / 1e6 : Double.NaN;
            case "ops/ms":
                return thrpt ? score / 1e3 : Double.NaN;
            case "ops/us":
                return thrpt ? score : Double.NaN;
            case "ops/ns":
                return thrpt ? score * 1e3 : Double.NaN;
            case "s/op":
                return thrpt || score <= 0 ? Double.NaN : 1e-6 / score;
            case "ms/op":
                return thrpt || score <= 0 ? Double.NaN : 1e-3 / score;
            case "us/op":
                return thrpt || score <= 0 ? Double.NaN : 1 / score;
            case "ns/op":
                return thrpt || score <= 0 ? Double.NaN : 1e3 / score;
            default:
                return Double.NaN;
        }
    }
}
