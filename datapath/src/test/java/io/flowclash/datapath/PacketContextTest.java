package io.flowclash.datapath;

import io.flowclash.datapath.design.Designs;

import io.flowclash.datapath.flow.Ipv4;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PacketContext#appendState} writes the whole state: changing any instance field (but the random sources,
 * left out on purpose) changes what it writes. A field added to the context and forgotten there fails this test,
 * so the explorer's memo key, built from it, cannot leave state out.
 */
class PacketContextTest
{
    @Test
    void shouldWriteEveryFieldIntoItsState() throws IllegalAccessException
    {
        int checked = 0;
        for (final Field f : PacketContext.class.getDeclaredFields())
        {
            if (Modifier.isStatic(f.getModifiers()) || f.getType() == SplittableRandom.class)
            {
                continue;
            }
            f.setAccessible(true);
            final Datapath dp = Designs.get("nf-clash-insert").create(DatapathConfig.builder().workers(2).build());
            final PacketContext ctx = dp.newContext(0);
            dp.begin(ctx, 1_000_000_000L, Tuple.hi(Ipv4.parse("10.244.0.5"), Ipv4.parse("10.96.0.10")),
                Tuple.lo(40000, 53, Tuple.PROTO_UDP), PacketRecordDescriptor.DIR_ORIGINAL, 1);
            dp.step(ctx); // lookup: attached to nothing yet, next step alloc
            dp.step(ctx); // alloc: attached to a new unconfirmed entry
            final String before = state(ctx, dp);
            change(f, ctx);
            assertThat(state(ctx, dp)).as("field %s is part of the state", f.getName()).isNotEqualTo(before);
            checked++;
        }
        assertThat(checked).as("fields checked").isGreaterThanOrEqualTo(17);
    }

    private static String state(final PacketContext ctx, final Datapath dp)
    {
        final StringBuilder sb = new StringBuilder();
        ctx.appendState(sb, dp);
        return sb.toString();
    }

    private static void change(final Field f, final PacketContext ctx) throws IllegalAccessException
    {
        final Class<?> t = f.getType();
        if (t == int.class)
        {
            final int v = f.getInt(ctx);
            f.setInt(ctx, f.getName().equals("conn") ? PacketContext.NONE : v == PacketContext.DONE ? 1 : v + 1);
        }
        else if (t == long.class)
        {
            f.setLong(ctx, f.getLong(ctx) + 0x0101_0101_0101L);
        }
        else if (t == byte.class)
        {
            f.setByte(ctx, (byte)(1 - f.getByte(ctx)));
        }
        else if (t == boolean.class)
        {
            f.setBoolean(ctx, !f.getBoolean(ctx));
        }
        else if (t == Reason.class)
        {
            f.set(ctx, f.get(ctx) == Reason.DROP_CLASH ? Reason.ACCEPT_NEW : Reason.DROP_CLASH);
        }
        else
        {
            throw new AssertionError("field " + f.getName() + " of type " + t + ": teach this test to change it");
        }
    }
}
