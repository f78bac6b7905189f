package io.flowclash.datapath.resolver;

import io.flowclash.datapath.flow.Tuple;

/**
 * Runs closed-loop lookups in virtual time: each client's resolver starts a lookup, its queries go through the
 * datapath ({@link LookupPath}), every query that gets through is answered by its backend after the reply delay
 * (unless a fault says otherwise), the reply goes back through the datapath and, if it comes out with the
 * nameserver's address and port and reaches a socket still open, the resolver takes it; timers fire as the
 * resolver asked. Events run in time order, ties in the order they were made; so the run is deterministic for a
 * given path. Nothing is allocated per packet or per lookup once the event queue has reached its working size.
 *
 * <p>What can happen at one instant is whatever the resolvers make: batches of one (single-request, a musl
 * resend of one query) or two packets, retries at later instants, replies arriving while a retry is in flight
 * (a late answer is taken if the resolver still waits for it on that socket), replies to closed sockets (lost).
 */
public final class LookupDriver implements ResolverNetwork
{
    private final Resolver resolver;
    private final LookupPath path;
    private final LookupStats stats;
    private final int nameserver;
    private final int nameserverPort;
    private final long replyDelayNs;
    private final int lookupsPerClient;
    private final long thinkNs;
    private final long staggerNs;
    private final int faulty;
    private final int faultyAnswers;
    private final long faultyDelayNs;
    private final int firstBackend;
    private final int backends;
    private final EventQueue events = new EventQueue();
    private final int[] remaining;
    private final long[] batchHi = new long[2];
    private final long[] batchLo = new long[2];
    private final int[] batchQuery = new int[2];
    private long queries;
    private long repliesSent;
    private long repliesDelivered;
    private long repliesLost;
    private long now;
    private LookupListener observer;

    /**
     * @param resolver         the clients' resolver states.
     * @param path             the datapath.
     * @param nameserver       VIP.
     * @param nameserverPort   port.
     * @param replyDelayNs     backend answer delay (RTT through the datapath), ns.
     * @param lookupsPerClient lookups per client.
     * @param thinkNs          from a lookup's end to the client's next start.
     * @param staggerNs        client c starts at {@code c * stagger}.
     * @param firstBackend     address of backend 0 (backend b has {@code firstBackend + b}).
     * @param backends         backends.
     * @param faulty           faulty backend index, -1 all, -2 none.
     * @param faultyAnswers    queries the faulty backend answers.
     * @param faultyDelayNs    its delay, 0 for {@code replyDelayNs}.
     */
    public LookupDriver(final Resolver resolver, final LookupPath path, final int nameserver, final int nameserverPort,
        final long replyDelayNs, final int lookupsPerClient, final long thinkNs, final long staggerNs,
        final int firstBackend, final int backends, final int faulty, final int faultyAnswers,
        final long faultyDelayNs)
    {
        this.resolver = resolver;
        this.path = path;
        this.stats = new LookupStats();
        this.nameserver = nameserver;
        this.nameserverPort = nameserverPort;
        this.replyDelayNs = replyDelayNs;
        this.lookupsPerClient = lookupsPerClient;
        this.thinkNs = thinkNs;
        this.staggerNs = staggerNs;
        this.firstBackend = firstBackend;
        this.backends = backends;
        this.faulty = faulty;
        this.faultyAnswers = faultyAnswers;
        this.faultyDelayNs = faultyDelayNs == 0 ? replyDelayNs : faultyDelayNs;
        this.remaining = new int[resolver.clients()];
        resolver.connect(this, (client, startNs, endNs, outcome) ->
        {
            stats.lookupDone(client, startNs, endNs, outcome);
            if (observer != null)
            {
                observer.lookupDone(client, startNs, endNs, outcome);
            }
            if (--remaining[client] > 0)
            {
                events.add(endNs + thinkNs, EventQueue.START, client, 0, 0, 0, 0);
            }
        });
    }

    /**
     * Also tell {@code listener} of every lookup's end (tests and traces; null for none).
     *
     * @param listener the observer.
     * @return this.
     */
    public LookupDriver observe(final LookupListener listener)
    {
        this.observer = listener;
        return this;
    }

    /**
     * Run every client's lookups to the end.
     *
     * @return the latency and outcomes.
     */
    public LookupStats run()
    {
        for (int c = 0; c < resolver.clients(); c++)
        {
            remaining[c] = lookupsPerClient;
            events.add(c * staggerNs, EventQueue.START, c, 0, 0, 0, 0);
        }
        while (!events.isEmpty())
        {
            now = events.poll();
            path.advance(now);
            final int c = events.client();
            switch (events.kind())
            {
                case EventQueue.START:
                    resolver.start(now, c);
                    break;
                case EventQueue.TIMER:
                    resolver.timer(now, c, (int)events.arg());
                    break;
                default:
                    deliver(c, events.query(), events.arg(), events.hi(), events.lo());
                    break;
            }
        }
        return stats;
    }

    @Override
    public void send(final long at, final int client, final long cookie, final long hi, final long lo,
        final int which)
    {
        int n = 0;
        if ((which & Resolver.A) != 0)
        {
            batchQuery[n] = Resolver.A;
            batchHi[n] = hi;
            batchLo[n++] = lo;
        }
        if ((which & Resolver.AAAA) != 0)
        {
            batchQuery[n] = Resolver.AAAA;
            batchHi[n] = hi;
            batchLo[n++] = lo;
        }
        path.queries(at, n, batchHi, batchLo, cookie);
        queries += n;
        for (int j = 0; j < n; j++)
        {
            if (!path.accepted(j))
            {
                continue; // dropped on the way: the resolver's timer will notice
            }
            final long h = path.hiAfter(j);
            final long l = path.loAfter(j);
            final int dst = Tuple.dstAddress(h);
            final int b = dst - firstBackend;
            final boolean isFaulty = faulty == -1 || (faulty >= 0 && b == faulty && b < backends);
            if (isFaulty && (faultyAnswers & batchQuery[j]) == 0)
            {
                continue; // this responder never answers that family
            }
            // the responder answers to where the query came from, as it arrived
            events.add(at + (isFaulty ? faultyDelayNs : replyDelayNs), EventQueue.REPLY, client, batchQuery[j],
                cookie, Tuple.invertHi(h), Tuple.invertLo(l));
            repliesSent++;
        }
    }

    @Override
    public void timer(final long at, final int client, final int token)
    {
        events.add(at, EventQueue.TIMER, client, 0, token, 0, 0);
    }

    private void deliver(final int client, final int query, final long cookie, final long hi, final long lo)
    {
        if (path.reply(now, hi, lo, cookie))
        {
            final long h = path.hiAfter(0);
            final long l = path.loAfter(0);
            // the socket takes it only from the nameserver's address and port, to its own address and port
            if (Tuple.srcAddress(h) == nameserver && Tuple.srcPort(l) == nameserverPort &&
                Tuple.dstAddress(h) == resolver.address(client) && cookie == resolver.socket(client) &&
                Tuple.dstPort(l) == resolver.port(client))
            {
                repliesDelivered++;
                resolver.reply(now, client, cookie, query);
                return;
            }
        }
        repliesLost++;
    }

    /** @return the stats (also returned by {@link #run}). */
    public LookupStats stats()
    {
        return stats;
    }

    /** @return queries sent by the resolvers. */
    public long queries()
    {
        return queries;
    }

    /** @return replies the backends sent. */
    public long repliesSent()
    {
        return repliesSent;
    }

    /** @return replies a socket took (the resolver may still ignore a duplicate). */
    public long repliesDelivered()
    {
        return repliesDelivered;
    }

    /** @return replies no socket took (dropped, untranslated, or to a closed socket). */
    public long repliesLost()
    {
        return repliesLost;
    }

    /** @return sockets the resolvers opened. */
    public long sockets()
    {
        return resolver.socketsOpened();
    }

    /** @return virtual time of the last event, ns. */
    public long endNs()
    {
        return now;
    }
}
