package io.flowclash.datapath.workload;

import io.flowclash.datapath.FlowclashException;
import io.flowclash.datapath.flow.Ipv4;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A parsed workload spec: {@code name[:key=value[,key=value...]]}. Typed getters take a default and record
 * which keys were read, so that {@link #checkAllUsed} can reject a misspelt key instead of ignoring it; every
 * getter builds the canonical spec (all parameters, defaults included, in a fixed order) as it goes.
 */
public final class WorkloadSpec
{
    private final String text;
    private final String name;
    private final Map<String, String> params;
    private final Set<String> used = new LinkedHashSet<>();
    private final StringBuilder canonical;

    private WorkloadSpec(final String text, final String name, final Map<String, String> params)
    {
        this.text = text;
        this.name = name;
        this.params = params;
        this.canonical = new StringBuilder(name);
    }

    /**
     * @param text such as {@code dns-pairs:sockets=10,seed=3}.
     * @return the parsed spec.
     * @throws FlowclashException naming the fault.
     */
    public static WorkloadSpec parse(final String text)
    {
        final String t = text.trim();
        final int colon = t.indexOf(':');
        final String name = colon < 0 ? t : t.substring(0, colon);
        if (name.isEmpty())
        {
            throw new FlowclashException("workload spec '" + text + "': missing the workload name (e.g. dns-pairs)");
        }
        final Map<String, String> params = new LinkedHashMap<>();
        if (colon >= 0 && colon < t.length() - 1)
        {
            for (final String pair : t.substring(colon + 1).split(",", -1))
            {
                final int eq = pair.indexOf('=');
                if (eq <= 0 || eq == pair.length() - 1)
                {
                    throw new FlowclashException("workload spec '" + text + "': '" + pair +
                        "' is not key=value");
                }
                final String key = pair.substring(0, eq).trim();
                if (params.put(key, pair.substring(eq + 1).trim()) != null)
                {
                    throw new FlowclashException("workload spec '" + text + "': parameter '" + key + "' given twice");
                }
            }
        }
        return new WorkloadSpec(text, name, params);
    }

    /** @return the workload name. */
    public String name()
    {
        return name;
    }

    /** @return true if the spec gives the key. */
    boolean has(final String key)
    {
        return params.containsKey(key);
    }

    /**
     * @param key       parameter.
     * @param fallback  default.
     * @param min       smallest allowed.
     * @param max       largest allowed.
     * @return the value.
     */
    public long longParam(final String key, final long fallback, final long min, final long max)
    {
        final String raw = take(key);
        long value = fallback;
        if (raw != null)
        {
            try
            {
                value = Long.parseLong(raw.replace("_", ""));
            }
            catch (final NumberFormatException ex)
            {
                throw fault(key + "='" + raw + "' is not a whole number");
            }
        }
        if (value < min || value > max)
        {
            throw fault(key + "=" + value + " is outside " + min + ".." + max);
        }
        append(key, Long.toString(value));
        return value;
    }

    /**
     * @param key      parameter.
     * @param fallback default.
     * @param min      smallest allowed.
     * @param max      largest allowed.
     * @return the value.
     */
    public int intParam(final String key, final int fallback, final int min, final int max)
    {
        return (int)longParam(key, fallback, min, max);
    }

    /**
     * @param key        parameter.
     * @param fallbackNs default in ns.
     * @param minNs      shortest allowed.
     * @return nanoseconds.
     */
    public long durationParam(final String key, final long fallbackNs, final long minNs)
    {
        final String raw = take(key);
        long value = fallbackNs;
        if (raw != null)
        {
            try
            {
                value = Durations.parseNs(raw);
            }
            catch (final IllegalArgumentException ex)
            {
                throw fault(key + ": " + ex.getMessage());
            }
        }
        if (value < minNs)
        {
            throw fault(key + "=" + Durations.format(value) + " is shorter than " + Durations.format(minNs));
        }
        append(key, Durations.format(value));
        return value;
    }

    /**
     * @param key      parameter.
     * @param fallback default dotted quad.
     * @return the address, host order.
     */
    public int addressParam(final String key, final String fallback)
    {
        final String raw = take(key);
        final int value;
        try
        {
            value = Ipv4.parse(raw == null ? fallback : raw);
        }
        catch (final IllegalArgumentException ex)
        {
            throw fault(key + ": " + ex.getMessage());
        }
        append(key, Ipv4.format(value));
        return value;
    }

    /**
     * @param key      parameter.
     * @param fallback default.
     * @return the value as given (trimmed), or the default.
     */
    public String stringParam(final String key, final String fallback)
    {
        final String raw = take(key);
        final String value = raw == null ? fallback : raw;
        append(key, value);
        return value;
    }

    /**
     * Reject keys no getter read.
     *
     * @param known the workload's parameters, for the message.
     */
    public void checkAllUsed(final String known)
    {
        for (final String key : params.keySet())
        {
            if (!used.contains(key))
            {
                throw fault("unknown parameter '" + key + "' (known: " + known + ")");
            }
        }
    }

    /** @return name and every parameter read so far, in reading order. */
    public String canonical()
    {
        return canonical.toString();
    }

    /**
     * @param message what is wrong.
     * @return an exception naming the spec.
     */
    public FlowclashException fault(final String message)
    {
        return new FlowclashException("workload '" + text + "': " + message);
    }

    private String take(final String key)
    {
        used.add(key);
        return params.get(key);
    }

    private void append(final String key, final String value)
    {
        canonical.append(canonical.length() == name.length() ? ':' : ',').append(key).append('=').append(value);
    }
}
