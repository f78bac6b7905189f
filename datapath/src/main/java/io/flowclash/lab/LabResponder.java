package io.flowclash.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Runs inside the backend namespace: one UDP socket per backend address, each echoing (or sinking) what it
 * receives and recording which backend got each datagram, keyed by the sender's port (one pair per port). Stops
 * when its standard input closes, then prints one line: {@code received=<per backend> split=<pairs> pairs=<ports>}.
 */
public final class LabResponder
{
    private LabResponder()
    {
    }

    /**
     * @param addresses backend addresses (dotted quads).
     * @param port      port to listen on.
     * @param echo      echo each datagram back to its sender.
     * @throws IOException on a socket failure.
     */
    public static void run(final List<String> addresses, final int port, final boolean echo) throws IOException
    {
        final int n = addresses.size();
        final AtomicLongArray received = new AtomicLongArray(n);
        final ConcurrentHashMap<Integer, Integer> backendsByPort = new ConcurrentHashMap<>();
        final List<DatagramChannel> channels = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (int b = 0; b < n; b++)
        {
            final DatagramChannel ch = DatagramChannel.open();
            // a spinning sender can starve us on 2 cores: a large buffer (capped by net.core.rmem_max) keeps
            // datagrams queued instead of dropped; drops that still happen show as Udp RcvbufErrors
            ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            ch.bind(new InetSocketAddress(InetAddress.getByName(addresses.get(b)), port));
            channels.add(ch);
            final int backend = b;
            final Thread t = new Thread(() -> serve(ch, backend, received, backendsByPort, echo), "responder-" + b);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0)
        {
            // wait for the lab to close our stdin
        }
        for (final DatagramChannel ch : channels)
        {
            ch.close();
        }
        long split = 0;
        for (final int mask : backendsByPort.values())
        {
            if (Integer.bitCount(mask) > 1)
            {
                split++;
            }
        }
        final StringBuilder sb = new StringBuilder("received=");
        for (int b = 0; b < n; b++)
        {
            sb.append(b == 0 ? "" : ",").append(received.get(b));
        }
        System.out.println(sb.append(" split=").append(split).append(" pairs=").append(backendsByPort.size()));
        System.out.flush();
    }

    private static void serve(final DatagramChannel ch, final int backend, final AtomicLongArray received,
        final ConcurrentHashMap<Integer, Integer> backendsByPort, final boolean echo)
    {
        final ByteBuffer buf = ByteBuffer.allocateDirect(512);
        try
        {
            while (true)
            {
                buf.clear();
                final SocketAddress from = ch.receive(buf);
                received.incrementAndGet(backend);
                final int srcPort = ((InetSocketAddress)from).getPort();
                backendsByPort.merge(srcPort, 1 << backend, (a, b) -> a | b);
                if (echo)
                {
                    buf.flip();
                    ch.send(buf, from);
                }
            }
        }
        catch (final IOException closed)
        {
            // closed at the end of the run
        }
    }
}
