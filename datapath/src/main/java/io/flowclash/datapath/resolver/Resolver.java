package io.flowclash.datapath.resolver;

import io.flowclash.datapath.flow.Tuple;

import java.util.SplittableRandom;

/**
 * The resolver states of a set of clients, one lookup in flight per client at most, as a state machine driven by
 * three events: a lookup starts, a reply reaches a socket, a timer fires. Per-client state lives in arrays indexed
 * by client (no object per lookup or packet); what leaves goes to the {@link ResolverNetwork}, what ends goes to
 * the {@link LookupListener}.
 *
 * <p>Sockets: each socket gets a new cookie (counting up from 1, as the kernel's socket cookies do) and a source
 * port. The kernel picks a random free port per bind ({@code udp_lib_get_port}); the model draws a random start
 * per client and then walks the range 32768..60999 with a fixed odd stride, so that a client never reuses a port
 * while an entry of its earlier socket may still live (in the kernel that happens about once in 28,232 sockets and
 * would make the new socket hit the old entry).
 *
 * <p>Not thread safe: the lookup driver calls it from one thread.
 */
public abstract class Resolver
{
    /** Query bit: the A query. */
    public static final int A = 1;
    /** Query bit: the AAAA query. */
    public static final int AAAA = 2;
    /** Both queries. */
    public static final int BOTH = A | AAAA;

    static final int PORT_LOW = 32768;
    static final int PORTS = 60999 - PORT_LOW + 1;
    private static final int PORT_STRIDE = 7919; // odd prime, not a factor of 28,232 = 2^3 * 3529: visits every port

    /** The options in force. */
    protected final ResolverOptions options;
    /** Number of clients. */
    protected final int clients;
    private final int[] address;
    private final int nameserver;
    private final int nameserverPort;
    private final int[] portIndex;
    private final long[] cookie;
    private final int[] port;
    private final long[] started;
    private final int[] token;
    private long nextCookie = 1;
    private long socketsOpened;
    private ResolverNetwork network;
    private LookupListener listener;

    /**
     * @param options        the options.
     * @param clients        clients (resolver states).
     * @param firstAddress   the first client's address; client c has {@code firstAddress + c}.
     * @param nameserver     the nameserver address in resolv.conf (the service VIP), host order.
     * @param nameserverPort its port (53).
     * @param seed           seed of the port draws.
     */
    protected Resolver(final ResolverOptions options, final int clients, final int firstAddress, final int nameserver,
        final int nameserverPort, final long seed)
    {
        this.options = options;
        this.clients = clients;
        this.address = new int[clients];
        this.nameserver = nameserver;
        this.nameserverPort = nameserverPort;
        this.portIndex = new int[clients];
        this.cookie = new long[clients];
        this.port = new int[clients];
        this.started = new long[clients];
        this.token = new int[clients];
        final SplittableRandom random = new SplittableRandom(seed);
        for (int c = 0; c < clients; c++)
        {
            address[c] = firstAddress + c;
            portIndex[c] = random.nextInt(PORTS);
        }
    }

    /**
     * @param network  where packets and timer requests go.
     * @param listener told when a lookup ends.
     */
    public final void connect(final ResolverNetwork network, final LookupListener listener)
    {
        this.network = network;
        this.listener = listener;
    }

    /**
     * {@code getaddrinfo(name, AF_UNSPEC)}: A and AAAA for one name, one nameserver.
     *
     * @param now    virtual time, ns.
     * @param client a client with no lookup in flight.
     */
    public abstract void start(long now, int client);

    /**
     * A reply reached a socket, already checked to come from the nameserver's address and port (glibc's socket is
     * connected, so the kernel drops anything else; musl compares the source with its nameservers).
     *
     * @param now    virtual time, ns.
     * @param client the client.
     * @param socket the cookie of the socket it reached; a closed socket's replies are lost.
     * @param query  {@link #A} or {@link #AAAA}: the question it answers.
     */
    public abstract void reply(long now, int client, long socket, int query);

    /**
     * A timer asked for with {@link ResolverNetwork#timer} fired.
     *
     * @param now    virtual time, ns.
     * @param client the client.
     * @param token  the token it was armed with.
     */
    public abstract void timer(long now, int client, int token);

    /** @return the options in force. */
    public final ResolverOptions options()
    {
        return options;
    }

    /** @return clients. */
    public final int clients()
    {
        return clients;
    }

    /** @return sockets opened so far (each is one flow, one conntrack entry, if its queries reach the table). */
    public final long socketsOpened()
    {
        return socketsOpened;
    }

    /** @param client the client. @return its address. */
    public final int address(final int client)
    {
        return address[client];
    }

    /** @param client the client. @return its open socket's cookie, 0 if none. */
    public final long socket(final int client)
    {
        return cookie[client];
    }

    /** @param client the client. @return its open socket's port, 0 if none. */
    public final int port(final int client)
    {
        return port[client];
    }

    // ---- for the implementations

    /** @param now virtual time. @param client the client: its lookup starts now. */
    protected final void begin(final long now, final int client)
    {
        started[client] = now;
    }

    /** Open a socket for the client (a new source port, a new cookie). */
    protected final void open(final int client)
    {
        final int i = portIndex[client];
        portIndex[client] = (int)((i + (long)PORT_STRIDE) % PORTS);
        port[client] = PORT_LOW + i;
        cookie[client] = nextCookie++;
        socketsOpened++;
    }

    /** Close the client's socket: replies to it are lost from now on. */
    protected final void close(final int client)
    {
        cookie[client] = 0;
        port[client] = 0;
    }

    /** @param client the client. @param queries which queries to send now from its socket. @param now time. */
    protected final void send(final long now, final int client, final int queries)
    {
        network.send(now, client, cookie[client], Tuple.hi(address[client], nameserver),
            Tuple.lo(port[client], nameserverPort, Tuple.PROTO_UDP), queries);
    }

    /** Arm the client's one timer (any earlier one is void). @param at when. @param client the client. */
    protected final void arm(final long at, final int client)
    {
        network.timer(at, client, ++token[client]);
    }

    /** Void the client's timer. @param client the client. */
    protected final void disarm(final int client)
    {
        ++token[client];
    }

    /** @param client the client. @param t a token. @return true if t is the client's current timer. */
    protected final boolean current(final int client, final int t)
    {
        return token[client] == t;
    }

    /** End the lookup: close the socket, void the timer, tell the listener. */
    protected final void finish(final long now, final int client, final LookupOutcome outcome)
    {
        close(client);
        disarm(client);
        listener.lookupDone(client, started[client], now, outcome);
    }

    /**
     * @param options  the options (their kind chooses the model).
     * @param clients  clients.
     * @param firstAddress first client address.
     * @param nameserver nameserver (VIP).
     * @param nameserverPort its port.
     * @param seed     port seed.
     * @return a new resolver set.
     */
    public static Resolver create(final ResolverOptions options, final int clients, final int firstAddress,
        final int nameserver, final int nameserverPort, final long seed)
    {
        return options.kind() == ResolverKind.GLIBC ?
            new GlibcResolver(options, clients, firstAddress, nameserver, nameserverPort, seed) :
            new MuslResolver(options, clients, firstAddress, nameserver, nameserverPort, seed);
    }
}
