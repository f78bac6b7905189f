package io.flowclash.datapath.workload;

import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecord;
import io.flowclash.datapath.stream.PacketStream;

import java.util.SplittableRandom;

import static io.flowclash.datapath.stream.PacketRecordDescriptor.*;

/**
 * {@code dns-pairs}: N client sockets; each lookup sends an A and an AAAA query from one socket at the same virtual
 * instant (glibc's {@code sendmmsg} of both, or musl's loop of {@code sendto}s): a batch of two with one 5-tuple.
 * Lookup {@code j} of socket {@code s} has id {@code j*sockets+s} and leaves at {@code id*interval}; later lookups
 * of a socket reuse its tuple. Only what clients send is in the stream: replies are made at run time, for
 * queries that got through.
 *
 * <p>Parameters: {@code sockets} (1000), {@code lookups} per socket (1), {@code interval} between lookups (1ms),
 * {@code vip} (10.96.0.10), {@code port} (53), {@code clients} pod addresses (100), {@code seed} (1).
 */
public final class DnsPairsWorkload implements Workload
{
    /** Parameter names, for help and errors. */
    public static final String PARAMS = "sockets, lookups, interval, vip, port, clients, seed";

    private final String spec;
    private final int sockets;
    private final int lookups;
    private final long intervalNs;
    private final int vip;
    private final int port;
    private final int clients;
    private final long seed;

    DnsPairsWorkload(final WorkloadSpec spec)
    {
        this.sockets = spec.intParam("sockets", 1000, 1, PacketStream.MAX_RECORDS / 2);
        this.lookups = spec.intParam("lookups", 1, 1, PacketStream.MAX_RECORDS / 2);
        this.intervalNs = spec.durationParam("interval", 1_000_000L, 1);
        this.vip = spec.addressParam("vip", "10.96.0.10");
        this.port = spec.intParam("port", 53, 1, 65535);
        this.clients = spec.intParam("clients", 100, 1, 65534);
        this.seed = spec.longParam("seed", 1, Long.MIN_VALUE, Long.MAX_VALUE);
        spec.checkAllUsed(PARAMS);
        if ((long)sockets * lookups * 2 > PacketStream.MAX_RECORDS)
        {
            throw spec.fault(sockets + " sockets x " + lookups + " lookups x 2 packets exceed " +
                PacketStream.MAX_RECORDS + " records");
        }
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
        return sockets * lookups * 2;
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

    /** Publish about every 65,536 records so that a progress line can follow a long generation. */
    private static final int PUBLISH_MASK = (1 << 16) - 2;

    @Override
    public void generate(final PacketStream stream)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final ClientSockets draw = new ClientSockets(random.split(), clients, sockets);
        final long[] his = new long[sockets];
        final long[] los = new long[sockets];
        for (int s = 0; s < sockets; s++)
        {
            draw.next();
            his[s] = Tuple.hi(draw.address(), vip);
            los[s] = Tuple.lo(draw.port(), port, Tuple.PROTO_UDP);
        }
        final SplittableRandom ids = random.split();
        final PacketRecord record = new PacketRecord();
        final int base = stream.count();
        int written = 0;
        for (int j = 0; j < lookups; j++)
        {
            for (int s = 0; s < sockets; s++)
            {
                if ((written & PUBLISH_MASK) == 0)
                {
                    stream.publish(base + written); // progress for a reader: every record below is written
                }
                final int lookupId = j * sockets + s;
                final long t = lookupId * intervalNs;
                final int first = j == 0 ? FLAG_FIRST_ON_SOCKET : 0;
                final int idA = ids.nextInt(1 << 16);
                final int idAaaa = ids.nextInt(1 << 16);
                write(stream, record, base + written++, t, his[s], los[s], s, lookupId, idA, QTYPE_A, 0, first);
                write(stream, record, base + written++, t, his[s], los[s], s, lookupId, idAaaa, QTYPE_AAAA, 1, 0);
            }
        }
        stream.publish(base + written);
    }

    private static void write(
        final PacketStream stream,
        final PacketRecord record,
        final int index,
        final long t,
        final long hi,
        final long lo,
        final int socket,
        final int lookupId,
        final int queryId,
        final int qtype,
        final int batchIndex,
        final int flags)
    {
        stream.record(index, record)
            .timestampNs(t)
            .tuple(hi, lo)
            .socketCookie(socket + 1L)
            .batchId(lookupId)
            .lookupId(lookupId)
            .queryId(queryId)
            .queryType(qtype)
            .direction(DIR_ORIGINAL)
            .batch(batchIndex, 2)
            .flags(flags)
            .clearReserved();
    }
}
