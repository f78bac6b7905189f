package io.flowclash.datapath.workload;

import io.flowclash.datapath.flow.Tuple;
import org.agrona.collections.LongHashSet;

import java.util.SplittableRandom;

/**
 * Draws client sockets: a pod address out of {@code clients} in 10.244.0.0/16 and an ephemeral source port from
 * Linux's default {@code ip_local_port_range} (32768..60999), never the same (address, port) twice in one
 * stream, so every socket is a distinct 5-tuple (as the kernel lab's unique-port scheme makes them).
 * Cookies count up from 1, as the kernel's socket cookies do. Generation-time only; it allocates.
 */
final class ClientSockets
{
    /** First address of the pod range, 10.244.0.0. */
    static final int POD_BASE = (10 << 24) | (244 << 16);
    static final int PORT_LOW = 32768;
    static final int PORT_HIGH = 60999;
    static final int PORTS = PORT_HIGH - PORT_LOW + 1;

    private final SplittableRandom random;
    private final int clients;
    private final LongHashSet taken;
    private long address;
    private int port;

    ClientSockets(final SplittableRandom random, final int clients, final int sockets)
    {
        this.random = random;
        this.clients = clients;
        this.taken = new LongHashSet(Math.max(16, sockets * 2));
    }

    /** Draw the next socket; read it with {@link #address()} and {@link #port()}. */
    void next()
    {
        while (true)
        {
            final int client = random.nextInt(clients);
            final int p = PORT_LOW + random.nextInt(PORTS);
            final long key = ((long)client << 16) | p;
            if (taken.add(key))
            {
                address = POD_BASE + 1 + client;
                port = p;
                return;
            }
        }
    }

    int address()
    {
        return (int)address;
    }

    int port()
    {
        return port;
    }

    static long hi(final int client, final int service)
    {
        return Tuple.hi(client, service);
    }

    static void checkCapacity(final WorkloadSpec spec, final long sockets, final int clients)
    {
        if (sockets > (long)clients * PORTS / 2)
        {
            throw spec.fault(sockets + " sockets: at most " + ((long)clients * PORTS / 2) + " sockets with " +
                clients + " clients (half of their " + ((long)clients * PORTS) + " (client, port) pairs, so that " +
                "a random draw finds a free pair in two tries on average): raise clients=");
        }
    }
}
