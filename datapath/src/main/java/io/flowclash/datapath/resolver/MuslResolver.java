package io.flowclash.datapath.resolver;

/**
 * musl's stub resolver for {@code getaddrinfo(AF_UNSPEC)} with one nameserver, as {@code src/network/res_msend.c}
 * ({@code __res_msend_rc}) and {@code src/network/lookup_name.c} ({@code name_from_dns}) have it:
 *
 * <pre>
 * name_from_dns:   the A and the AAAA query (in that order) go to one __res_msend_rc call.
 * __res_msend_rc:  one UDP socket, bound to an ephemeral port, not connected: every send and resend uses it.
 *                  timeout = 1000 * timeout (ms), retry_interval = timeout / attempts (integer ms)
 *                  t0 = t2 = now; t1 = t2 - retry_interval          (so the first round leaves at once)
 *                  for (; t2 - t0 &lt; timeout; t2 = now):
 *                      all queries answered: break
 *                      t2 - t1 &gt;= retry_interval: sendto() every unanswered query to every nameserver; t1 = t2
 *                      poll(until t1 + retry_interval); take replies: source must be a nameserver, match by id,
 *                      a query already answered ignores its duplicate
 *                  close the socket
 * name_from_dns:   any query without an answer -> EAI_AGAIN: the lookup fails (no partial result).
 * </pre>
 *
 * So a lost query is sent again at {@code retry_interval} (2.5 s by default) from the same socket (same 5-tuple:
 * after a clash it meets the confirmed winner and passes), and the whole lookup has one budget of
 * {@code timeout} (5 s), not one per attempt. With a budget that the interval does not divide, the last round can
 * leave just before the budget ends and the lookup ends at the next wake after it (e.g. timeout:5 attempts:3:
 * rounds at 0, 1.666, 3.332 and 4.998 s, end at 6.664 s), as the loop above does.
 *
 * <p>Not modelled: SERVFAIL resends ({@code servfail_retry}) and the TCP fallback on truncation (the backends
 * always answer NOERROR, small), several nameservers, search domains.
 */
final class MuslResolver extends Resolver
{
    private final long timeoutMs;
    private final long retryMs;
    private final long[] t0;
    private final long[] t1;
    private final byte[] answered;

    MuslResolver(final ResolverOptions options, final int clients, final int firstAddress, final int nameserver,
        final int nameserverPort, final long seed)
    {
        super(options, clients, firstAddress, nameserver, nameserverPort, seed);
        this.timeoutMs = 1000L * options.timeoutSeconds();
        this.retryMs = timeoutMs / options.attempts();
        this.t0 = new long[clients];
        this.t1 = new long[clients];
        this.answered = new byte[clients];
    }

    @Override
    public void start(final long now, final int client)
    {
        begin(now, client);
        open(client);
        answered[client] = 0;
        t0[client] = now;
        round(now, client);
    }

    /** Send every unanswered query, {@code t1 = t2}, sleep until {@code t1 + retry_interval}. */
    private void round(final long now, final int client)
    {
        send(now, client, BOTH & ~answered[client]);
        t1[client] = now;
        arm(now + retryMs * 1_000_000L, client);
    }

    @Override
    public void reply(final long now, final int client, final long socket, final int query)
    {
        if (socket == 0 || socket != socket(client) || (answered[client] & query) != 0)
        {
            return;
        }
        answered[client] |= (byte)query;
        if (answered[client] == BOTH)
        {
            finish(now, client, LookupOutcome.ANSWERED);
        }
    }

    @Override
    public void timer(final long now, final int client, final int token)
    {
        if (!current(client, token))
        {
            return;
        }
        if (now - t0[client] >= timeoutMs * 1_000_000L)
        {
            finish(now, client, LookupOutcome.FAILED); // EAI_AGAIN: some query has no answer
            return;
        }
        round(now, client); // t2 - t1 >= retry_interval at this wake
    }
}
