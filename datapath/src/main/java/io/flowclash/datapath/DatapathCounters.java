package io.flowclash.datapath;

/**
 * Per-worker counters, summed on read: the kernel keeps {@code nf_conntrack_stat} per CPU for the same reason
 * (no shared cache line on the packet path).
 *
 * <h3>Assumptions and Guarantees</h3>
 * <ol>
 *     <li>Slots of worker {@code w} are written only by the thread acting as worker {@code w} (plain stores).</li>
 *     <li>Events of a thread that is no worker ({@code worker = -1}: a gc sweep from another thread killing
 *     entries) go to one extra guest row with atomic adds, since several such threads may count at once; sums
 *     include it, per-worker reads do not.</li>
 *     <li>Each worker's slots start two cache lines apart from the next worker's (no false sharing).</li>
 *     <li>Reads ({@link #get}, {@link #reason}) are exact once the writers are joined (Thread.join orders them);
 *     read while workers run they are a snapshot that may lag.</li>
 * </ol>
 * Layout per worker: {@link Counter}s, then one slot per {@link Reason}, then {@code processed}.
 */
public final class DatapathCounters
{
    private static final java.lang.invoke.VarHandle SLOTS =
        java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);
    private static final int REASON_BASE = Counter.count();
    private static final int PROCESSED = REASON_BASE + Reason.count();
    private static final int PAD = 16; // 2 cache lines of longs
    private static final int STRIDE = ((PROCESSED + 1 + 7) & ~7) + PAD;

    private final int workers;
    private final long[] slots;

    /** @param workers number of workers. */
    public DatapathCounters(final int workers)
    {
        this.workers = workers;
        this.slots = new long[(workers + 1) * STRIDE + PAD];
    }

    /** @return number of workers. */
    public int workers()
    {
        return workers;
    }

    /** @param worker writer, or -1 for a thread that is no worker. @param counter event. */
    public void increment(final int worker, final Counter counter)
    {
        if (worker < 0)
        {
            SLOTS.getAndAdd(slots, PAD + workers * STRIDE + counter.ordinal(), 1L);
            return;
        }
        slots[PAD + worker * STRIDE + counter.ordinal()]++;
    }

    /**
     * Count several events at once ({@code NF_CT_STAT_ADD_ATOMIC}).
     *
     * @param worker  writer, or -1 for a thread that is no worker.
     * @param counter event.
     * @param n       how many.
     */
    public void add(final int worker, final Counter counter, final long n)
    {
        if (worker < 0)
        {
            SLOTS.getAndAdd(slots, PAD + workers * STRIDE + counter.ordinal(), n);
            return;
        }
        slots[PAD + worker * STRIDE + counter.ordinal()] += n;
    }

    /** Count a packet entering the datapath. @param worker writer. */
    public void processed(final int worker)
    {
        slots[PAD + worker * STRIDE + PROCESSED]++;
    }

    /** Count a packet's verdict. @param worker writer. @param reason the verdict. */
    public void verdict(final int worker, final Reason reason)
    {
        slots[PAD + worker * STRIDE + REASON_BASE + reason.ordinal()]++;
    }

    /**
     * Give a packet its verdict: count it for the context's worker and finish the context. Every design ends a
     * packet through here, which is what keeps processed = accepted + dropped.
     *
     * @param ctx    the packet.
     * @param reason the verdict.
     */
    public void finish(final PacketContext ctx, final Reason reason)
    {
        verdict(ctx.worker(), reason);
        ctx.finish(reason);
    }

    /** @param counter event. @return the sum over workers. */
    public long get(final Counter counter)
    {
        return sum(counter.ordinal());
    }

    /**
     * @param worker  a worker (a "CPU").
     * @param counter event.
     * @return that worker's count alone, as one row of {@code /proc/net/stat/nf_conntrack}.
     */
    public long get(final int worker, final Counter counter)
    {
        return slots[PAD + worker * STRIDE + counter.ordinal()];
    }

    /** @param reason verdict. @return packets finished with it, summed over workers. */
    public long reason(final Reason reason)
    {
        return sum(REASON_BASE + reason.ordinal());
    }

    /** @return packets that entered. */
    public long processed()
    {
        return sum(PROCESSED);
    }

    /** @return packets finished with an accept reason. */
    public long accepted()
    {
        long total = 0;
        for (int r = 0; r < Reason.count(); r++)
        {
            if (Reason.of(r).accepted())
            {
                total += sum(REASON_BASE + r);
            }
        }
        return total;
    }

    /** @return packets finished with a drop reason. */
    public long dropped()
    {
        long total = 0;
        for (int r = 0; r < Reason.count(); r++)
        {
            if (!Reason.of(r).accepted())
            {
                total += sum(REASON_BASE + r);
            }
        }
        return total;
    }

    /** Zero every slot (between runs, writers stopped). */
    public void reset()
    {
        java.util.Arrays.fill(slots, 0);
    }

    private long sum(final int slot)
    {
        long total = 0;
        for (int w = 0; w <= workers; w++)
        {
            total += slots[PAD + w * STRIDE + slot];
        }
        return total;
    }

    /**
     * Append {@code conntrack -S} style: {@code found=0 insert=0 insert_failed=3 ...} (only the counters
     * the given design family uses).
     *
     * @param sb       to append to.
     * @param counters which counters to print.
     * @return the builder.
     */
    public StringBuilder appendKernelStyle(final StringBuilder sb, final Counter... counters)
    {
        for (int i = 0; i < counters.length; i++)
        {
            if (i > 0)
            {
                sb.append(' ');
            }
            sb.append(counters[i].kernelName()).append('=').append(get(counters[i]));
        }
        return sb;
    }
}
