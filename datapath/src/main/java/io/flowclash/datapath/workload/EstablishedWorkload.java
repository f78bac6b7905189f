package io.flowclash.datapath.workload;

import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecord;
import io.flowclash.datapath.stream.PacketStream;

import java.util.SplittableRandom;

import static io.flowclash.datapath.stream.PacketRecordDescriptor.*;

/**
 * {@code established}: long-lived flows that keep sending, one packet at a time, round-robin across flows, so
 * that after the first round every packet hits an existing entry: the lookup-hit path.
 * Packet {@code r} of flow {@code f} is record {@code r*flows+f} and leaves at that index times {@code gap}.
 *
 * <p>Parameters: {@code flows} (65536), {@code packets} per flow (16), {@code gap} (100ns), {@code vip}
 * (10.96.0.10), {@code port} (53), {@code clients} (1024), {@code seed} (1).
 */
public final class EstablishedWorkload implements Workload
{
    /** Parameter names, for help and errors. */
    public static final String PARAMS = "flows, packets, gap, vip, port, clients, seed";

    private final String spec;
    private final int flows;
    private final int packets;
    private final long gapNs;
    private final int vip;
    private final int port;
    private final int clients;
    private final long seed;

    EstablishedWorkload(final WorkloadSpec spec)
    {
        this.flows = spec.intParam("flows", 65536, 1, PacketStream.MAX_RECORDS);
        this.packets = spec.intParam("packets", 16, 1, PacketStream.MAX_RECORDS);
        this.gapNs = spec.durationParam("gap", 100L, 1);
        this.vip = spec.addressParam("vip", "10.96.0.10");
        this.port = spec.intParam("port", 53, 1, 65535);
        this.clients = spec.intParam("clients", 1024, 1, 65534);
        this.seed = spec.longParam("seed", 1, Long.MIN_VALUE, Long.MAX_VALUE);
        spec.checkAllUsed(PARAMS);
        if ((long)flows * packets > PacketStream.MAX_RECORDS)
        {
            throw spec.fault(flows + " flows x " + packets + " packets exceed " + PacketStream.MAX_RECORDS +
                " records");
        }
        ClientSockets.checkCapacity(spec, flows, clients);
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
        return flows * packets;
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

    @Override
    public void generate(final PacketStream stream)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final ClientSockets draw = new ClientSockets(random.split(), clients, flows);
        final long[] his = new long[flows];
        final long[] los = new long[flows];
        for (int f = 0; f < flows; f++)
        {
            draw.next();
            his[f] = Tuple.hi(draw.address(), vip);
            los[f] = Tuple.lo(draw.port(), port, Tuple.PROTO_UDP);
        }
        final SplittableRandom ids = random.split();
        final PacketRecord record = new PacketRecord();
        final int base = stream.count();
        int index = 0;
        for (int r = 0; r < packets; r++)
        {
            for (int f = 0; f < flows; f++)
            {
                stream.record(base + index, record)
                    .timestampNs(index * gapNs)
                    .tuple(his[f], los[f])
                    .socketCookie(f + 1L)
                    .batchId(index)
                    .lookupId(f)
                    .queryId(ids.nextInt(1 << 16))
                    .queryType(QTYPE_A)
                    .direction(DIR_ORIGINAL)
                    .batch(0, 1)
                    .flags(r == 0 ? FLAG_FIRST_ON_SOCKET : 0)
                    .clearReserved();
                index++;
            }
        }
        stream.publish(base + index);
    }
}
