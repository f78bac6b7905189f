package io.flowclash.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * How a figure is rounded when recorded and printed when shown: a figure is rounded once, when it goes into
 * {@code results.json}, and the Markdown and HTML print the recorded value as it is.
 */
final class Figures
{
    private Figures()
    {
    }

    /** @param v value. @param decimals decimals kept. @return v rounded half-up. */
    static double round(final double v, final int decimals)
    {
        return BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
    }

    /** @param v value. @param digits significant digits kept. @return v rounded half-up to them. */
    static double roundSignificant(final double v, final int digits)
    {
        return new BigDecimal(v).round(new java.math.MathContext(digits, RoundingMode.HALF_UP)).doubleValue();
    }

    /** @param v a recorded value. @return as shown: integers without decimals, others as recorded. */
    static String show(final double v)
    {
        if (v == Math.rint(v) && Math.abs(v) < 1e15)
        {
            return String.format(Locale.ROOT, "%d", (long)v);
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
