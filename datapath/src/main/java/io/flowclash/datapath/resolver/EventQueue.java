package io.flowclash.datapath.resolver;

/**
 * The lookup driver's pending events in virtual time: a binary min-heap of slot indices over parallel primitive
 * arrays, ordered by time and then by insertion, so that events at one instant run in the order they were made
 * (runs are reproducible). Slots are reused; arrays grow by doubling and are never shrunk: nothing is allocated per
 * event once the queue has reached its working size. Not thread safe.
 */
final class EventQueue
{
    /** A client starts its next lookup. */
    static final byte START = 0;
    /** A resolver's timer fires ({@code a} = token). */
    static final byte TIMER = 1;
    /** A backend's reply enters the datapath ({@code a} = socket cookie, {@code hi}/{@code lo} = tuple). */
    static final byte REPLY = 2;

    private long[] time = new long[1024];
    private long[] order = new long[1024];
    private byte[] kind = new byte[1024];
    private int[] client = new int[1024];
    private int[] query = new int[1024];
    private long[] a = new long[1024];
    private long[] hi = new long[1024];
    private long[] lo = new long[1024];
    private int[] heap = new int[1024];
    private int[] free = new int[1024];
    private int size;
    private int freeTop;
    private int slots;
    private long sequence;
    private int top = -1;

    /**
     * @param at     when.
     * @param k      {@link #START}, {@link #TIMER} or {@link #REPLY}.
     * @param c      client.
     * @param q      query bit (replies).
     * @param arg    token (timers) or socket cookie (replies).
     * @param tupleHi reply tuple high word.
     * @param tupleLo reply tuple low word.
     */
    void add(final long at, final byte k, final int c, final int q, final long arg, final long tupleHi,
        final long tupleLo)
    {
        final int s = slot();
        time[s] = at;
        order[s] = sequence++;
        kind[s] = k;
        client[s] = c;
        query[s] = q;
        a[s] = arg;
        hi[s] = tupleHi;
        lo[s] = tupleLo;
        if (size == heap.length)
        {
            heap = java.util.Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!before(s, heap[parent]))
            {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = s;
    }

    /** @return true if no event is pending. */
    boolean isEmpty()
    {
        return size == 0;
    }

    /** @return time of the next event (queue not empty). */
    long peekTime()
    {
        return time[heap[0]];
    }

    /**
     * Take the next event; read it with the accessors until the next {@code poll}.
     *
     * @return its time.
     */
    long poll()
    {
        if (top >= 0)
        {
            free[freeTop++] = top;
        }
        final int s = heap[0];
        final int last = heap[--size];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && before(heap[child + 1], heap[child]))
            {
                child++;
            }
            if (!before(heap[child], last))
            {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        if (size > 0)
        {
            heap[i] = last;
        }
        top = s;
        return time[s];
    }

    byte kind()
    {
        return kind[top];
    }

    int client()
    {
        return client[top];
    }

    int query()
    {
        return query[top];
    }

    long arg()
    {
        return a[top];
    }

    long hi()
    {
        return hi[top];
    }

    long lo()
    {
        return lo[top];
    }

    /** @return events pending. */
    int size()
    {
        return size;
    }

    private boolean before(final int x, final int y)
    {
        return time[x] < time[y] || (time[x] == time[y] && order[x] < order[y]);
    }

    private int slot()
    {
        if (freeTop > 0)
        {
            return free[--freeTop];
        }
        if (slots == time.length)
        {
            final int n = slots * 2;
            time = java.util.Arrays.copyOf(time, n);
            order = java.util.Arrays.copyOf(order, n);
            kind = java.util.Arrays.copyOf(kind, n);
            client = java.util.Arrays.copyOf(client, n);
            query = java.util.Arrays.copyOf(query, n);
            a = java.util.Arrays.copyOf(a, n);
            hi = java.util.Arrays.copyOf(hi, n);
            lo = java.util.Arrays.copyOf(lo, n);
            free = java.util.Arrays.copyOf(free, n);
        }
        return slots++;
    }
}
