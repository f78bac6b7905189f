package io.flowclash.datapath;

import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Datapath#processBurst} ends exactly as {@link Datapath#process} on each packet in turn, in every
 * registered design: two instances of a design, same configuration, take the same packet stream on the same
 * contexts (packet {@code p} on context {@code p % BURST}, so both draw the same random streams), one packet at a
 * time on one instance and {@link #BURST} at a time on the other. Per packet the verdict, the tuple as sent on and
 * the backend must agree; at the end every counter, every verdict count and the table listing.
 *
 * <p>The stream makes every path run: few flows against a small table (lookup hits, new flows, table full and
 * early_drop), the same flow twice in one burst (the second packet must find the entry the first confirmed,
 * exactly as one by one), replies from a backend (hits and misses), and virtual time advancing so that entries
 * expire and lookups reclaim them.
 */
class DatapathBurstTest
{
    private static final int BURST = 8;
    private static final int PACKETS = 20_000;
    private static final int FLOWS = 300;
    private static final int CLIENT = 0x0AF40000 + 5;

    static Stream<String> designs()
    {
        return Designs.all().stream().map(Designs.Design::id);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("designs")
    void shouldEndABurstExactlyAsThePacketsOneByOne(final String design)
    {
        final DatapathConfig config = DatapathConfig.builder().backends(3).maxEntries(128).mapEntries(256).seed(11)
            .build();
        try (Datapath single = Designs.get(design).create(config);
            Datapath burst = Designs.get(design).create(config))
        {
            final PacketContext[] one = contexts(single);
            final PacketContext[] many = contexts(burst);
            final SplittableRandom random = new SplittableRandom(5);
            final long[] now = new long[BURST];
            final long[] his = new long[BURST];
            final long[] los = new long[BURST];
            final byte[] dirs = new byte[BURST];
            final long[] cookies = new long[BURST];
            long t = 1_000_000_000L;
            int differentPaths = 0;
            for (int p = 0; p < PACKETS; p += BURST)
            {
                for (int i = 0; i < BURST; i++)
                {
                    t += random.nextLong(400_000_000L);
                    final int flow = random.nextInt(FLOWS);
                    final long hi = Tuple.hi(CLIENT + flow / 100, config.serviceAddress());
                    final long lo = Tuple.lo(20_000 + flow, config.servicePort(), Tuple.PROTO_UDP);
                    now[i] = t;
                    cookies[i] = flow;
                    if (random.nextInt(5) == 0)
                    {
                        // a backend's reply to the flow (found if the flow went to that backend)
                        final int backend = random.nextInt(config.backends());
                        his[i] = Tuple.invertHi(Tuple.withDstAddress(hi, config.backendAddress(backend)));
                        los[i] = Tuple.invertLo(Tuple.withDstPort(lo, config.backendPort()));
                        dirs[i] = PacketRecordDescriptor.DIR_REPLY;
                    }
                    else
                    {
                        his[i] = hi;
                        los[i] = lo;
                        dirs[i] = PacketRecordDescriptor.DIR_ORIGINAL;
                    }
                }
                for (int i = 0; i < BURST; i++)
                {
                    single.begin(one[i], now[i], his[i], los[i], dirs[i], cookies[i]);
                    single.process(one[i]);
                }
                for (int i = 0; i < BURST; i++)
                {
                    burst.begin(many[i], now[i], his[i], los[i], dirs[i], cookies[i]);
                }
                burst.processBurst(many, BURST);
                for (int i = 0; i < BURST; i++)
                {
                    assertThat(many[i].done()).as("%s packet %d done", design, p + i).isTrue();
                    assertThat(outcome(many[i])).as("%s packet %d", design, p + i).isEqualTo(outcome(one[i]));
                    if (i > 0 && many[i].reason() != many[i - 1].reason())
                    {
                        differentPaths++;
                    }
                }
                single.quiescent(0);
                burst.quiescent(0);
                if (p % (BURST * 64) == 0)
                {
                    single.sweep(t, 0);
                    burst.sweep(t, 0);
                }
            }
            assertThat(differentPaths).as("%s: bursts mixing verdicts", design).isGreaterThan(PACKETS / 100);
            for (int c = 0; c < Counter.count(); c++)
            {
                final Counter counter = Counter.of(c);
                assertThat(burst.counters().get(counter)).as("%s counter %s", design, counter.kernelName())
                    .isEqualTo(single.counters().get(counter));
            }
            for (int r = 0; r < Reason.count(); r++)
            {
                final Reason reason = Reason.of(r);
                assertThat(burst.counters().reason(reason)).as("%s verdict %s", design, reason.label())
                    .isEqualTo(single.counters().reason(reason));
            }
            assertThat(burst.counters().processed()).isEqualTo(single.counters().processed()).isEqualTo(PACKETS);
            assertThat(listing(burst, t)).as("%s table", design).isEqualTo(listing(single, t));
        }
    }

    private static PacketContext[] contexts(final Datapath datapath)
    {
        final PacketContext[] ctxs = new PacketContext[BURST];
        for (int i = 0; i < BURST; i++)
        {
            ctxs[i] = datapath.newContext(0, i);
        }
        return ctxs;
    }

    private static String outcome(final PacketContext ctx)
    {
        return ctx.reason().label() + " out=" + Tuple.format(ctx.hi(), ctx.lo()) + " backend=" + ctx.backend();
    }

    private static List<String> listing(final Datapath datapath, final long now)
    {
        final List<String> entries = new ArrayList<>();
        datapath.forEachEntry(now, (oh, ol, rh, rl, status, expiresAt, hidden) -> entries.add(
            Tuple.format(oh, ol) + " " + Tuple.format(rh, rl) + " " + status + " " + expiresAt + " " + hidden));
        return entries;
    }
}
