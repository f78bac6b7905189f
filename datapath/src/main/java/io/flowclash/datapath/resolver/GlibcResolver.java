package io.flowclash.datapath.resolver;

/**
 * glibc's stub resolver for {@code getaddrinfo(AF_UNSPEC)} with one nameserver, as {@code resolv/res_send.c}
 * has it (read at 04130e53 and at 6d7e8eda; the logic below is the same in both):
 *
 * <pre>
 * __res_context_send:  for try in 0 .. retry-1: n = send_dg(...); answer -> close the socket
 *                      (__res_iclose unless RES_STAYOPEN), return; no answer -> next try.
 *                      After the last try: __res_iclose, ETIMEDOUT.
 * send_dg:             seconds = retrans (one nameserver); single_request_reopen = options &amp; RES_SNGLKUPREOP;
 *                      single_request = options &amp; RES_SNGLKUP, or reopen.
 *   retry_reopen:      reopen(): a socket only if none is open (nssocks[ns] == -1); connect()ed to the server,
 *                      so both queries share one 5-tuple.
 *   retry:             finish = now + seconds; nwritten = 0; recvresp1 = recvresp2 = 0.
 *                      POLLOUT, nwritten 0, !single_request: sendmmsg(buf, buf2): two packets back to back.
 *                      Otherwise send(nwritten ? buf2 : buf): one packet; with single_request POLLIN only.
 *   a reply:           matched by id and question to a query not yet answered in this round (so a late answer
 *                      from an earlier round on the same socket counts). Both answered: return. One answered and
 *                      single_request: POLLOUT again (single_request_reopen: close, reopen: a new port) and
 *                      send buf2.
 *   poll timeout:      an answer received: !single_request -> options |= RES_SNGLKUP (sticky in the resolver
 *                      state), goto retry (same socket); else !single_request_reopen -> options |=
 *                      RES_SNGLKUPREOP, __res_iclose, goto retry_reopen (new socket); else return the one
 *                      answer (*resplen2 = 1: the other family is missing, getaddrinfo returns what it has).
 *                      No answer: return 0 without closing the socket: the next try reuses its port.
 * </pre>
 *
 * The sticky {@code RES_SNGLKUP}/{@code RES_SNGLKUPREOP} bits live in {@code statp->options}, the thread's
 * {@code _res}: here one per client. They outlive the lookup that set them, and even a {@code resolv.conf}
 * reload: {@code resolv/resolv_context.c} {@code maybe_init} re-reads the configuration only while
 * {@code replicated_configuration_matches} (resp-&gt;options equal to the configuration's), and the fallback's bits
 * make them differ. So in this model they last for the whole run.
 *
 * <p>Not modelled: SERVFAIL/REFUSED answers and truncation (the backends always answer NOERROR), several
 * nameservers, {@code rotate}, search domains ({@code ndots}): one name, one nameserver.
 */
final class GlibcResolver extends Resolver
{
    /** {@code RES_SNGLKUP} in the per-client options. */
    static final byte SNGLKUP = 1;
    /** {@code RES_SNGLKUPREOP} in the per-client options. */
    static final byte SNGLKUPREOP = 2;

    private final long secondsNs;
    private final byte[] statpOptions;
    private final byte[] local;
    private final byte[] tries;
    private final byte[] received;
    private final byte[] written;

    GlibcResolver(final ResolverOptions options, final int clients, final int firstAddress, final int nameserver,
        final int nameserverPort, final long seed)
    {
        super(options, clients, firstAddress, nameserver, nameserverPort, seed);
        // send_dg: seconds = retrans << ns (ns = 0); seconds <= 0 -> 1 (refused earlier by ResolverOptions)
        this.secondsNs = options.timeoutSeconds() * 1_000_000_000L;
        this.statpOptions = new byte[clients];
        this.local = new byte[clients];
        this.tries = new byte[clients];
        this.received = new byte[clients];
        this.written = new byte[clients];
        final byte initial = (byte)((options.singleRequest() ? SNGLKUP : 0) |
            (options.singleRequestReopen() ? SNGLKUPREOP : 0));
        java.util.Arrays.fill(statpOptions, initial);
    }

    /** @param client the client. @return its sticky RES_SNGLKUP / RES_SNGLKUPREOP bits. */
    byte stickyOptions(final int client)
    {
        return statpOptions[client];
    }

    @Override
    public void start(final long now, final int client)
    {
        begin(now, client);
        tries[client] = 0;
        sendDg(now, client);
    }

    /** Entry of {@code send_dg}: the local copies of the options, {@code retry_reopen}, {@code retry}. */
    private void sendDg(final long now, final int client)
    {
        final byte o = statpOptions[client];
        local[client] = (o & SNGLKUPREOP) != 0 ? (byte)(SNGLKUP | SNGLKUPREOP) : o;
        if (socket(client) == 0)
        {
            open(client); // reopen(): only when no socket is open
        }
        retry(now, client);
    }

    /** {@code retry:} a new deadline, both answers forgotten, the first send. */
    private void retry(final long now, final int client)
    {
        received[client] = 0;
        if ((local[client] & SNGLKUP) == 0)
        {
            written[client] = 2;
            send(now, client, BOTH); // sendmmsg: A and AAAA back to back, one 5-tuple
        }
        else
        {
            written[client] = 1;
            send(now, client, A);
        }
        arm(now + secondsNs, client);
    }

    @Override
    public void reply(final long now, final int client, final long socket, final int query)
    {
        if (socket == 0 || socket != socket(client) || (received[client] & query) != 0)
        {
            return; // a closed socket, or an answer already taken in this round ("old answer")
        }
        received[client] |= (byte)query;
        if (received[client] == BOTH)
        {
            finish(now, client, LookupOutcome.ANSWERED);
            return;
        }
        if ((local[client] & SNGLKUP) != 0)
        {
            if ((local[client] & SNGLKUPREOP) != 0)
            {
                close(client); // __res_iclose + reopen: the second query from a new port
                open(client);
            }
            // POLLOUT: send(nwritten != 0 ? buf2 : buf); nwritten is at least 1 here, so buf2 (AAAA)
            send(now, client, written[client] == 0 ? A : AAAA);
            written[client]++;
        }
    }

    @Override
    public void timer(final long now, final int client, final int token)
    {
        if (!current(client, token))
        {
            return;
        }
        if (received[client] != 0)
        {
            if ((local[client] & SNGLKUP) == 0)
            {
                statpOptions[client] |= SNGLKUP;
                local[client] |= SNGLKUP;
                retry(now, client);
            }
            else if ((local[client] & SNGLKUPREOP) == 0)
            {
                statpOptions[client] |= SNGLKUPREOP;
                local[client] |= SNGLKUPREOP;
                close(client);
                open(client);
                retry(now, client);
            }
            else
            {
                finish(now, client, LookupOutcome.PARTIAL);
            }
            return;
        }
        tries[client]++;
        if (tries[client] < options.attempts())
        {
            sendDg(now, client); // same socket: the no-answer path does not close it
        }
        else
        {
            finish(now, client, LookupOutcome.FAILED);
        }
    }
}
