package io.flowclash.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs inside the client namespace: for each pair a fresh source port, and the two "queries" (A and AAAA) sent to
 * the service VIP from it, as a resolver does from one socket. The JDK serialises sends on one channel with a lock,
 * so the two sending threads use two {@code SO_REUSEPORT} sockets bound to the same address and port: the same
 * 5-tuple, which is all conntrack sees; {@code one-thread} uses one socket.
 * <ul>
 *     <li>{@code spin}: a helper thread busy-waits on a shared sequence and sends the AAAA query the moment the
 *     main thread moves it and sends the A query (no wake-up delay: the two sends overlap on two CPUs);</li>
 *     <li>{@code park}: the helper blocks on a barrier; the main thread arrives, wakes it (futex) and sends at
 *     once, so the helper sends a wake-up later;</li>
 *     <li>{@code one-thread}: one thread sends both back to back (the {@code sendmmsg} / same-CPU case).</li>
 * </ul>
 * With replies, the main thread then waits for two datagrams (timeout), counting lost ones and ones whose source is
 * not the VIP. A send that fails with "Operation not permitted" (EPERM: dropped in the sender's own POSTROUTING)
 * is counted. Prints one line of {@code key=value} at the end.
 */
public final class LabSender
{
    private LabSender()
    {
    }

    /**
     * @param pairs     socket pairs.
     * @param mode      spin, park or one-thread.
     * @param vip       service address.
     * @param port      service port.
     * @param firstPort first source port (pair i uses firstPort + i).
     * @param replies   wait for replies.
     * @param timeoutMs reply timeout.
     * @throws Exception on setup failure.
     */
    public static void run(final int pairs, final String mode, final String vip, final int port, final int firstPort,
        final boolean replies, final int timeoutMs) throws Exception
    {
        final InetSocketAddress service = new InetSocketAddress(InetAddress.getByName(vip), port);
        final AtomicLong go = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        final DatagramChannel[] helperChannel = new DatagramChannel[1];
        final AtomicLong sendErrors = new AtomicLong();
        final AtomicLong eperm = new AtomicLong();
        final CyclicBarrier barrier = new CyclicBarrier(2); // park: the helper blocks, the main thread wakes it
        final boolean twoThreads = !mode.equals("one-thread");
        final ByteBuffer queryA = ByteBuffer.allocateDirect(12);
        final ByteBuffer queryAaaa = ByteBuffer.allocateDirect(12);
        Thread helper = null;
        if (twoThreads)
        {
            // the helper sends the AAAA query; the main thread sends the A query itself: exactly two threads race
            helper = new Thread(() ->
            {
                final ByteBuffer data = ByteBuffer.allocateDirect(12);
                long seen = 0;
                while (true)
                {
                    if (mode.equals("spin"))
                    {
                        long s;
                        while ((s = go.get()) == seen)
                        {
                            Thread.onSpinWait();
                        }
                        seen = s;
                    }
                    else
                    {
                        try
                        {
                            barrier.await();
                        }
                        catch (final InterruptedException | BrokenBarrierException ex)
                        {
                            return;
                        }
                        seen = go.get();
                    }
                    if (seen < 0)
                    {
                        return;
                    }
                    data.clear();
                    data.putLong(seen).putInt(1).flip();
                    send(helperChannel[0], data, service, sendErrors, eperm);
                    done.incrementAndGet();
                }
            }, "sender-aaaa");
            helper.setDaemon(true);
            helper.start();
        }
        long replied = 0;
        long lost = 0;
        long badSource = 0;
        final ByteBuffer in = ByteBuffer.allocateDirect(512);
        final Selector selector = Selector.open();
        final long start = System.nanoTime();
        for (int i = 0; i < pairs; i++)
        {
            // JDK's DatagramChannel serialises sends on one channel with a lock, so the two sending threads use two
            // SO_REUSEPORT sockets bound to the same address and port: one 5-tuple, the only thing conntrack sees
            final DatagramChannel a = open(firstPort + i);
            final DatagramChannel b = twoThreads ? open(firstPort + i) : null;
            helperChannel[0] = b;
            queryA.clear();
            queryA.putLong(i + 1).putInt(0).flip();
            if (twoThreads)
            {
                final long target = done.get() + 1;
                go.set(i + 1); // spin: releases the helper (volatile write after the channel is set)
                if (mode.equals("park"))
                {
                    barrier.await(); // the helper was blocked: it needs a futex wake-up before it can send
                }
                send(a, queryA, service, sendErrors, eperm);
                while (done.get() < target)
                {
                    Thread.onSpinWait();
                }
            }
            else
            {
                queryAaaa.clear();
                queryAaaa.putLong(i + 1).putInt(1).flip();
                send(a, queryA, service, sendErrors, eperm);
                send(a, queryAaaa, service, sendErrors, eperm);
            }
            if (replies)
            {
                a.configureBlocking(false).register(selector, SelectionKey.OP_READ);
                if (b != null)
                {
                    b.configureBlocking(false).register(selector, SelectionKey.OP_READ);
                }
                int got = 0;
                final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
                while (got < 2)
                {
                    final long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0 || selector.select(left) == 0 && System.nanoTime() >= deadline)
                    {
                        break;
                    }
                    for (final SelectionKey key : selector.selectedKeys())
                    {
                        in.clear();
                        SocketAddress from;
                        while (got < 2 && (from = ((DatagramChannel)key.channel()).receive(in)) != null)
                        {
                            got++;
                            final InetSocketAddress f = (InetSocketAddress)from;
                            if (!f.getAddress().equals(service.getAddress()) || f.getPort() != port)
                            {
                                badSource++;
                            }
                            in.clear();
                        }
                    }
                    selector.selectedKeys().clear();
                }
                replied += got;
                lost += 2 - got;
            }
            a.close();
            if (b != null)
            {
                b.close();
            }
            selector.selectNow(); // flush the cancelled keys of the closed channels
        }
        final long elapsed = System.nanoTime() - start;
        go.set(-1);
        if (helper != null && mode.equals("park"))
        {
            barrier.reset();
        }
        selector.close();
        // replies, lost and badSource exist only when the sender waited for replies (sink mode has none)
        System.out.println("pairs=" + pairs + " sendErrors=" + sendErrors.get() + " eperm=" + eperm.get() +
            (replies ? " replies=" + replied + " lost=" + lost + " badSource=" + badSource : "") +
            " elapsedNs=" + elapsed);
        System.out.flush();
    }

    private static DatagramChannel open(final int port) throws IOException
    {
        final DatagramChannel ch = DatagramChannel.open();
        ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        ch.bind(new InetSocketAddress(port));
        return ch;
    }

    private static void send(final DatagramChannel channel, final ByteBuffer data, final InetSocketAddress to,
        final AtomicLong errors, final AtomicLong eperm)
    {
        try
        {
            channel.send(data, to);
        }
        catch (final IOException ex)
        {
            errors.incrementAndGet();
            if (String.valueOf(ex.getMessage()).contains("not permitted"))
            {
                eperm.incrementAndGet();
            }
        }
    }
}
