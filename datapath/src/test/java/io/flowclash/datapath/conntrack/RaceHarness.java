package io.flowclash.datapath.conntrack;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.flow.Ipv4;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.schedule.StepScheduler;
import io.flowclash.datapath.stream.PacketRecordDescriptor;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives packets of one socket flow through a design one step at a time in a chosen order: the deterministic
 * version of two CPUs racing, through the one {@link StepScheduler}. Each packet takes the next lane (packet
 * {@code A} lane 0 on worker 0, {@code B} lane 1 on worker 1, ...). Schedules are strings of packet letters, e.g.
 * {@code "ABABABABAB"} runs A's first step, then B's, and so on; a letter whose packet is done is an error.
 */
final class RaceHarness
{
    static final int CLIENT = Ipv4.parse("10.244.0.5");
    static final int VIP = Ipv4.parse("10.96.0.10");
    static final long HI = Tuple.hi(CLIENT, VIP);
    static final long LO = Tuple.lo(40000, 53, Tuple.PROTO_UDP);

    /** Both lookups before either confirm, same backend: every step alternates. */
    static final String RACE_1 = "ABABABABAB";
    /** B looks up before A confirms, but A confirms before B's SNAT step. */
    static final String RACE_2 = "ABABABAABB";
    /** No overlap: A is done before B starts. */
    static final String SERIAL = "AAAAABBBB";

    static final int LANES = 16;

    final Datapath datapath;
    final StepScheduler scheduler;
    final List<PacketContext> contexts = new ArrayList<>();
    final StringBuilder trace = new StringBuilder();

    RaceHarness(final String design, final int backends)
    {
        this.datapath = Designs.get(design).create(DatapathConfig.builder().backends(backends).workers(LANES)
            .build());
        this.scheduler = new StepScheduler(datapath, LANES);
    }

    PacketContext packet(final long now, final int backend)
    {
        return packet(now, HI, LO, PacketRecordDescriptor.DIR_ORIGINAL, backend);
    }

    PacketContext packet(final long now, final long hi, final long lo, final byte dir, final int backend)
    {
        final int lane = contexts.size();
        final PacketContext ctx = scheduler.context(lane);
        ctx.forceBackend(backend);
        scheduler.begin(lane, now, hi, lo, dir, 1);
        contexts.add(ctx);
        return ctx;
    }

    void run(final String schedule)
    {
        for (final char letter : schedule.toCharArray())
        {
            final int lane = letter - 'A';
            assertThat(scheduler.inFlight(lane)).as("packet %s is already done at %s", letter, trace).isTrue();
            trace.append(letter).append('.').append(scheduler.nextStepName(lane)).append(' ');
            scheduler.step(lane);
        }
        for (final PacketContext ctx : contexts)
        {
            assertThat(ctx.done()).as("schedule %s left a packet unfinished: %s", schedule, trace).isTrue();
        }
    }

    /** A reply from a backend to the client's (possibly moved) port, as the responder sends it. */
    PacketContext reply(final long now, final int backend, final int clientPort)
    {
        final long hi = Tuple.hi(datapath.config().backendAddress(backend), CLIENT);
        final long lo = Tuple.lo(datapath.config().backendPort(), clientPort, Tuple.PROTO_UDP);
        final PacketContext ctx = packet(now, hi, lo, PacketRecordDescriptor.DIR_REPLY, PacketContext.NONE);
        scheduler.finish(contexts.size() - 1);
        return ctx;
    }

    long counter(final Counter c)
    {
        return datapath.counters().get(c);
    }

    void assertConservation()
    {
        final long processed = datapath.counters().processed();
        assertThat(processed).as("processed").isEqualTo(contexts.size());
        assertThat(datapath.counters().accepted() + datapath.counters().dropped()).as("accepted + dropped")
            .isEqualTo(processed);
    }

    /** @return entries as "visible" / "hidden" lines: ORIGINAL -> REPLY tuples and flags. */
    List<String> entries(final long now)
    {
        final List<String> out = new ArrayList<>();
        datapath.forEachEntry(now, (oh, ol, rh, rl, status, expires, hidden) ->
            out.add((hidden ? "hidden " : "visible ") + Tuple.format(oh, ol) + " -> " + Tuple.format(rh, rl)));
        return out;
    }
}
