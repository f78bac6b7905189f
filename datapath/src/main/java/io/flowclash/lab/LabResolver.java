package io.flowclash.lab;

import org.HdrHistogram.Histogram;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Runs inside the client namespace: real glibc {@code getaddrinfo(AF_UNSPEC)} lookups. The JDK resolves through
 * the platform's {@code getaddrinfo} (with {@code AF_UNSPEC} when IPv6 is available), so glibc sends the A and
 * AAAA queries as it always does, following the namespace's {@code /etc/resolv.conf} ({@code ip netns exec}
 * bind-mounts {@code /etc/netns/<ns>/resolv.conf}); the JDK's own cache is off ({@code sun.net.inetaddr.ttl=0}).
 * Each lookup is timed into an HdrHistogram. Prints one line of {@code key=value} at the end.
 */
public final class LabResolver
{
    private LabResolver()
    {
    }

    /**
     * @param name    name to look up.
     * @param lookups how many.
     * @throws InterruptedException if interrupted while waiting for the server.
     */
    public static void run(final String name, final int lookups) throws InterruptedException
    {
        java.security.Security.setProperty("networkaddress.cache.ttl", "0");
        java.security.Security.setProperty("networkaddress.cache.negative.ttl", "0");
        // wait for the server (dnsmasq binds asynchronously); these lookups are not counted
        final long until = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < until)
        {
            try
            {
                InetAddress.getAllByName(name);
                break;
            }
            catch (final UnknownHostException notYet)
            {
                Thread.sleep(50);
            }
        }
        final Histogram latencyUs = new Histogram(60_000_000L, 3);
        long failed = 0;
        long partial = 0;
        long slow = 0;
        for (int i = 0; i < lookups; i++)
        {
            final long t0 = System.nanoTime();
            try
            {
                final InetAddress[] all = InetAddress.getAllByName(name);
                boolean v4 = false;
                boolean v6 = false;
                for (final InetAddress a : all)
                {
                    v4 |= a instanceof Inet4Address;
                    v6 |= a instanceof Inet6Address;
                }
                if (!v4 || !v6)
                {
                    partial++;
                }
            }
            catch (final UnknownHostException ex)
            {
                failed++;
            }
            final long us = (System.nanoTime() - t0) / 1000;
            latencyUs.recordValue(Math.min(us, latencyUs.getHighestTrackableValue()));
            if (us > 1_000_000)
            {
                slow++;
            }
        }
        System.out.println("lookups=" + lookups + " failed=" + failed + " partial=" + partial + " slow=" + slow +
            " p50us=" + latencyUs.getValueAtPercentile(50) + " p99us=" + latencyUs.getValueAtPercentile(99) +
            " maxus=" + latencyUs.getMaxValue());
        System.out.flush();
    }
}
