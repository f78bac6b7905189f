package io.flowclash.datapath.workload;

/**
 * Durations as text with a unit ({@code 500ns}, {@code 100us}, {@code 1ms}, {@code 5s}), held as nanoseconds.
 */
public final class Durations
{
    private static final String[] UNITS = {"s", "ms", "us", "ns"};
    private static final long[] NANOS = {1_000_000_000L, 1_000_000L, 1_000L, 1L};

    private Durations()
    {
    }

    /**
     * @param text a whole number followed by ns, us, ms or s.
     * @return nanoseconds.
     * @throws IllegalArgumentException when the text is not such a duration.
     */
    public static long parseNs(final String text)
    {
        final String t = text.trim();
        for (int i = 0; i < UNITS.length; i++)
        {
            final String unit = UNITS[i];
            if (t.endsWith(unit) && !(unit.equals("s") && (t.endsWith("ns") || t.endsWith("us") || t.endsWith("ms"))))
            {
                final String number = t.substring(0, t.length() - unit.length());
                try
                {
                    final long value = Long.parseLong(number);
                    if (value < 0)
                    {
                        break;
                    }
                    return Math.multiplyExact(value, NANOS[i]);
                }
                catch (final NumberFormatException | ArithmeticException ex)
                {
                    break;
                }
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration (expected e.g. 500ns, 100us, 1ms, 5s)");
    }

    /**
     * @param ns nanoseconds.
     * @return the shortest exact text, e.g. {@code 1ms} for 1000000.
     */
    public static String format(final long ns)
    {
        for (int i = 0; i < UNITS.length; i++)
        {
            if (ns != 0 && ns % NANOS[i] == 0)
            {
                return (ns / NANOS[i]) + UNITS[i];
            }
        }
        return ns + "ns";
    }
}
