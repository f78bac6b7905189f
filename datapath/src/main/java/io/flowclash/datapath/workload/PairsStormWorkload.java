package io.flowclash.datapath.workload;

import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecord;
import io.flowclash.datapath.stream.PacketStream;

import java.util.SplittableRandom;

import static io.flowclash.datapath.stream.PacketRecordDescriptor.*;

/**
 * {@code pairs-storm}: many sockets, each sending one A+AAAA pair, pairs back to back ({@code gap} apart): the
 * new-flow path at full speed, for throughput. Every pair is a new 5-tuple.
 *
 * <p>Parameters: {@code sockets} (1000000), {@code gap} (100ns), {@code vip} (10.96.0.10), {@code port} (53),
 * {@code clients} (1024), {@code seed} (1).
 */
public final class PairsStormWorkload implements Workload
{
    /** Parameter names, for help and errors. */
    public static final String PARAMS = "sockets, gap, vip, port, clients, seed";

    private final String spec;
    private final int sockets;
    private final long gapNs;
    private final int vip;
    private final int port;
    private final int clients;
    private final long seed;

    PairsStormWorkload(final WorkloadSpec spec)
    {
        this.sockets = spec.intParam("sockets", 1_000_000, 1, PacketStream.MAX_RECORDS / 2);
        this.gapNs = spec.durationParam("gap", 100L, 1);
        this.vip = spec.addressParam("vip", "10.96.0.10");
        this.port = spec.intParam("port", 53, 1, 65535);
        this.clients = spec.intParam("clients", 1024, 1, 65534);
        this.seed = spec.longParam("seed", 1, Long.MIN_VALUE, Long.MAX_VALUE);
        spec.checkAllUsed(PARAMS);
        ClientSockets.checkCapacity(spec, sockets, clients);
        this.spec = spec.canonical();
    }

    @Override
    public String spec()
    {
        return spec;
    }

    @Override
    public long seed()
    {
        return seed;
    }

    @Override
    public int recordCount()
    {
        return sockets * 2;
    }

    @Override
    public int serviceAddress()
    {
        return vip;
    }

    @Override
    public int servicePort()
    {
        return port;
    }

    /** Publish every 65,536 sockets so that a progress line can follow a long generation. */
    private static final int PUBLISH_MASK = (1 << 16) - 1;

    @Override
    public void generate(final PacketStream stream)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final ClientSockets draw = new ClientSockets(random.split(), clients, sockets);
        final SplittableRandom ids = random.split();
        final PacketRecord record = new PacketRecord();
        final int base = stream.count();
        for (int s = 0; s < sockets; s++)
        {
            if ((s & PUBLISH_MASK) == 0)
            {
                stream.publish(base + 2 * s); // progress for a reader (a progress line): every record below is written
            }
            draw.next();
            final long hi = Tuple.hi(draw.address(), vip);
            final long lo = Tuple.lo(draw.port(), port, Tuple.PROTO_UDP);
            final long t = s * gapNs;
            for (int q = 0; q < 2; q++)
            {
                stream.record(base + 2 * s + q, record)
                    .timestampNs(t)
                    .tuple(hi, lo)
                    .socketCookie(s + 1L)
                    .batchId(s)
                    .lookupId(s)
                    .queryId(ids.nextInt(1 << 16))
                    .queryType(q == 0 ? QTYPE_A : QTYPE_AAAA)
                    .direction(DIR_ORIGINAL)
                    .batch(q, 2)
                    .flags(q == 0 ? FLAG_FIRST_ON_SOCKET : 0)
                    .clearReserved();
            }
        }
        stream.publish(base + 2 * sockets);
    }
}
