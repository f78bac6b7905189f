package io.flowclash.datapath.explore;

import io.flowclash.datapath.Counter;
import io.flowclash.datapath.Datapath;
import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.FlowclashException;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.Reason;
import io.flowclash.datapath.flow.Ipv4;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.schedule.StepScheduler;
import io.flowclash.datapath.stream.PacketRecordDescriptor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Runs every interleaving of the steps of k packets of one socket flow (same 5-tuple, same instant), for every
 * vector of backend choices, through a design's real step methods on a fresh table, and collects the exact set of
 * outcomes: each packet's verdict and translation, the counters, and the table's visible and hidden entries.
 *
 * <h3>How it stays exact and fast</h3>
 * A schedule is a sequence of packet letters; at each point any packet not yet done may take its next step. The
 * explorer walks the tree of schedules depth first, replaying a prefix on a fresh design to reach each state, and
 * memoizes by a canonical key of the state: every context's whole state as the context itself writes it
 * ({@link PacketContext#appendState}: next step, verdict, headers, backend, the entry it holds described by
 * content, and every other field) plus the table's live entries and the counters. Two prefixes that reach the same key have
 * the same futures, so the count of complete interleavings per outcome is computed exactly (summing over children)
 * while each distinct state is expanded once. The only abstraction: a source port moved by NAT is shown as
 * {@code *} in keys and outcomes (its value is a random draw; what matters is that it moved).
 */
public final class InterleavingExplorer
{
    /** Virtual time of the racing packets. */
    public static final long T0 = 1_000_000_000L;
    static final int CLIENT = Ipv4.parse("10.244.0.5");
    static final int CLIENT_PORT = 40000;
    /** The one socket every packet of the flow leaves from. */
    static final long COOKIE = 1;
    private static final Pattern DRAWN_PORT = Pattern.compile("port=(?!" + CLIENT_PORT + "\\b)(?!53\\b)\\d+");

    /** One distinct outcome. */
    public record Outcome(String description, long interleavings, String witness, boolean anyDrop, boolean conserved)
    {
    }

    /** The result of one exploration. */
    public record Exploration(
        String design, int packets, int backends, boolean replies, long interleavings, long states,
        long elapsedNs, List<Outcome> outcomes)
    {
    }

    /**
     * A bound on the distinct states one exploration may expand, and the count expanded so far (written by the
     * exploring thread, readable from any thread for a progress line).
     *
     * @param maxStates  the exploration stops with a {@link FlowclashException} when it would expand more.
     * @param statesSeen distinct states expanded so far.
     */
    public record Budget(long maxStates, AtomicLong statesSeen)
    {
        /** @return no bound. */
        public static Budget unbounded()
        {
            return new Budget(Long.MAX_VALUE, new AtomicLong());
        }
    }

    private record Tally(Map<String, long[]> counts, Map<String, String> witnesses)
    {
    }

    private final Designs.Design design;
    private final int packets;
    private final int backends;
    private final boolean replies;
    private final Map<String, Tally> memo = new HashMap<>();
    private final Map<String, Boolean> drops = new HashMap<>();
    private final Map<String, Boolean> conservation = new HashMap<>();
    private int[] choice;
    private long states;
    private Budget budget = Budget.unbounded();

    private InterleavingExplorer(final Designs.Design design, final int packets, final int backends,
        final boolean replies)
    {
        this.design = design;
        this.packets = packets;
        this.backends = backends;
        this.replies = replies;
    }

    /**
     * @param designId design id.
     * @param packets  racing packets, 1..4.
     * @param backends service backends, 1..4.
     * @param replies  follow each accepted query with its backend's reply (after all queries are done).
     * @return the exact outcome set.
     */
    public static Exploration explore(final String designId, final int packets, final int backends,
        final boolean replies)
    {
        return explore(designId, packets, backends, replies, Budget.unbounded());
    }

    /**
     * The explorer's limits, checked before anything is estimated or run.
     *
     * @param packets racing packets, 1..4.
     * @param backends service backends, 1..4.
     * @throws FlowclashException naming the option and its range.
     */
    public static void checkRange(final int packets, final int backends)
    {
        if (packets < 1 || packets > 4)
        {
            throw new FlowclashException("--packets must be 1..4, got " + packets);
        }
        if (backends < 1 || backends > 4)
        {
            throw new FlowclashException("--backends must be 1..4, got " + backends);
        }
    }

    /**
     * @param designId design id.
     * @param packets  racing packets, 1..4.
     * @param backends service backends, 1..4.
     * @param replies  follow each accepted query with its backend's reply.
     * @param budget   the most distinct states to expand, and the progress counter.
     * @return the exact outcome set.
     * @throws FlowclashException when the budget is spent before the exploration ends.
     */
    public static Exploration explore(final String designId, final int packets, final int backends,
        final boolean replies, final Budget budget)
    {
        checkRange(packets, backends);
        final InterleavingExplorer explorer = new InterleavingExplorer(Designs.get(designId), packets, backends,
            replies);
        explorer.budget = budget;
        return explorer.run();
    }

    /**
     * Re-run one witness exactly: the backend choices and step sequence printed by {@link #explore}.
     *
     * @param designId design id.
     * @param packets  racing packets.
     * @param backends service backends.
     * @param replies  follow with replies.
     * @param witness  e.g. {@code backends A=b0 B=b1: A.lookup B.lookup A.alloc ...}.
     * @return the outcome, as {@link Outcome#description()} shows it.
     * @throws FlowclashException if the witness does not parse or a step name does not match the design's.
     */
    public static String replay(final String designId, final int packets, final int backends, final boolean replies,
        final String witness)
    {
        final InterleavingExplorer explorer = new InterleavingExplorer(Designs.get(designId), packets, backends,
            replies);
        final int colon = witness.indexOf(':');
        if (!witness.startsWith("backends ") || colon < 0)
        {
            throw new FlowclashException("witness '" + witness + "' does not start with 'backends A=bN ...:'");
        }
        explorer.choice = new int[packets];
        final String[] picks = witness.substring("backends ".length(), colon).trim().split(" ");
        if (picks.length != packets)
        {
            throw new FlowclashException("witness names " + picks.length + " backend choices, expected " + packets);
        }
        for (int j = 0; j < packets; j++)
        {
            final String expected = letter(j) + "=b";
            if (!picks[j].startsWith(expected))
            {
                throw new FlowclashException("witness choice '" + picks[j] + "': expected " + expected + "N");
            }
            final int b = Integer.parseInt(picks[j].substring(expected.length()));
            if (b < 0 || b >= backends)
            {
                throw new FlowclashException("witness choice '" + picks[j] + "': backend outside 0.." + (backends - 1));
            }
            explorer.choice[j] = b;
        }
        final Replay state = new Replay(explorer.design, packets, backends, replies, explorer.choice, "");
        for (final String step : witness.substring(colon + 1).trim().split("\\s+"))
        {
            final int dot = step.indexOf('.');
            final int j = dot == 1 ? step.charAt(0) - 'A' : -1;
            if (j < 0 || j >= packets || !state.inFlight(j))
            {
                throw new FlowclashException("witness step '" + step + "' names no packet that still has steps");
            }
            final String name = state.nextStepName(j);
            if (!name.equals(step.substring(dot + 1)))
            {
                throw new FlowclashException("witness step '" + step + "': packet " + letter(j) + "'s next step is " +
                    name + " in " + designId);
            }
            state.step(j);
        }
        if (!state.allDone())
        {
            throw new FlowclashException("witness ends before every packet is done");
        }
        return state.outcome();
    }

    private Exploration run()
    {
        final long start = System.nanoTime();
        final Map<String, long[]> total = new TreeMap<>();
        final Map<String, String> witnesses = new HashMap<>();
        long interleavings = 0;
        final int vectors = (int)Math.pow(backends, packets);
        for (int v = 0; v < vectors; v++)
        {
            choice = new int[packets];
            int rest = v;
            for (int j = 0; j < packets; j++)
            {
                choice[j] = rest % backends;
                rest /= backends;
            }
            final StringBuilder label = new StringBuilder("backends");
            for (int j = 0; j < packets; j++)
            {
                label.append(' ').append(letter(j)).append("=b").append(choice[j]);
            }
            label.append(':');
            final Tally tally = expand("");
            for (final Map.Entry<String, long[]> e : tally.counts().entrySet())
            {
                total.computeIfAbsent(e.getKey(), k -> new long[1])[0] += e.getValue()[0];
                interleavings += e.getValue()[0];
                witnesses.putIfAbsent(e.getKey(), label + tally.witnesses().get(e.getKey()));
            }
        }
        final List<Outcome> outcomes = new ArrayList<>();
        for (final Map.Entry<String, long[]> e : total.entrySet())
        {
            outcomes.add(new Outcome(e.getKey(), e.getValue()[0], witnesses.get(e.getKey()), drops.get(e.getKey()),
                conservation.get(e.getKey())));
        }
        return new Exploration(design.id(), packets, backends, replies, interleavings, states,
            System.nanoTime() - start, Collections.unmodifiableList(outcomes));
    }

    static char letter(final int j)
    {
        return (char)('A' + j);
    }

    /**
     * The state after a schedule prefix, rebuilt from scratch on a fresh design: the design's real steps driven by
     * the {@link StepScheduler}, nothing else. Lane {@code j} (packet letter {@code 'A' + j}) is on worker
     * {@code j}; the replies of {@link #outcome()} take lane {@code packets}, on a worker of their own.
     */
    static final class Replay
    {
        final Datapath datapath;
        final StepScheduler scheduler;
        final StringBuilder trace = new StringBuilder();
        private final int packets;
        private final int backends;
        private final boolean replies;

        Replay(final Designs.Design design, final int packets, final int backends, final boolean replies,
            final int[] choice, final CharSequence schedule)
        {
            this.packets = packets;
            this.backends = backends;
            this.replies = replies;
            datapath = design.create(DatapathConfig.builder().backends(backends).workers(packets + 1)
                .maxEntries(64).buckets(64).lockStripes(16).mapEntries(64).seed(11).build());
            final int[] workerOfLane = new int[packets + 1];
            for (int j = 0; j <= packets; j++)
            {
                workerOfLane[j] = j;
            }
            scheduler = new StepScheduler(datapath, workerOfLane);
            final long hi = Tuple.hi(CLIENT, datapath.config().serviceAddress());
            final long lo = Tuple.lo(CLIENT_PORT, datapath.config().servicePort(), Tuple.PROTO_UDP);
            for (int j = 0; j < packets; j++)
            {
                scheduler.context(j).forceBackend(choice[j]);
                scheduler.begin(j, T0, hi, lo, PacketRecordDescriptor.DIR_ORIGINAL, COOKIE);
            }
            for (int i = 0; i < schedule.length(); i++)
            {
                step(schedule.charAt(i) - 'A');
            }
        }

        PacketContext ctx(final int j)
        {
            return scheduler.context(j);
        }

        boolean inFlight(final int j)
        {
            return scheduler.inFlight(j);
        }

        String nextStepName(final int j)
        {
            return scheduler.nextStepName(j);
        }

        void step(final int j)
        {
            trace.append(' ').append(letter(j)).append('.').append(scheduler.nextStepName(j));
            scheduler.step(j);
        }

        boolean allDone()
        {
            for (int j = 0; j < packets; j++)
            {
                if (scheduler.inFlight(j))
                {
                    return false;
                }
            }
            return true;
        }

        /**
         * The memo key: each context's whole state ({@link PacketContext#appendState}, the entry it holds described
         * by content), the table's live entries and the counters, with NAT-drawn ports abstracted.
         */
        String key()
        {
            final StringBuilder sb = new StringBuilder(512);
            for (int j = 0; j < packets; j++)
            {
                sb.append(letter(j)).append(':');
                ctx(j).appendState(sb, datapath);
                sb.append(';');
            }
            return abstractPorts(sb.toString()) + '|' + table() + '|' + counters();
        }

        String table()
        {
            final List<String> entries = new ArrayList<>();
            datapath.forEachEntry(T0, (oh, ol, rh, rl, status, expires, hidden) ->
            {
                final StringBuilder sb = new StringBuilder(hidden ? "hidden " : "visible ");
                appendTuple(sb, oh, ol);
                sb.append(" -> ");
                appendTuple(sb, rh, rl);
                if (expires - T0 <= 2_000_000_000L)
                {
                    sb.append(" (").append((expires - T0) / 1_000_000).append(" ms)");
                }
                entries.add(sb.toString());
            });
            Collections.sort(entries);
            return String.join("; ", entries);
        }

        String counters()
        {
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Counter.count(); i++)
            {
                final long v = datapath.counters().get(Counter.of(i));
                if (v != 0)
                {
                    sb.append(sb.length() == 0 ? "" : " ").append(Counter.of(i).kernelName()).append('=').append(v);
                }
            }
            return sb.length() == 0 ? "no counters" : sb.toString();
        }

        /** The outcome: verdicts, then (optionally) replies, counters and table. */
        String outcome()
        {
            final StringBuilder sb = new StringBuilder();
            for (int j = 0; j < packets; j++)
            {
                final PacketContext c = ctx(j);
                sb.append(letter(j)).append('=').append(c.reason().label());
                if (c.accepted())
                {
                    sb.append("->").append(destination(c));
                }
                sb.append(' ');
            }
            if (replies)
            {
                final int lane = packets;
                for (int j = 0; j < packets; j++)
                {
                    final PacketContext c = ctx(j);
                    if (c.accepted())
                    {
                        // received by the socket that sent it
                        scheduler.begin(lane, T0 + 1_000_000, Tuple.invertHi(c.hi()), Tuple.invertLo(c.lo()),
                            PacketRecordDescriptor.DIR_REPLY, COOKIE);
                        scheduler.finish(lane);
                        sb.append("reply").append(letter(j)).append('=')
                            .append(scheduler.context(lane).reason().label()).append(' ');
                    }
                }
            }
            sb.append("| ").append(counters()).append(" | ").append(table());
            return sb.toString();
        }

        String destination(final PacketContext c)
        {
            final int dst = Tuple.dstAddress(c.hi());
            for (int b = 0; b < backends; b++)
            {
                if (dst == datapath.config().backendAddress(b))
                {
                    return "b" + b + (Tuple.srcPort(c.lo()) == CLIENT_PORT ? "" : ":moved-port");
                }
            }
            return Ipv4.format(dst);
        }

        boolean conserved()
        {
            return datapath.counters().processed() == datapath.counters().accepted() + datapath.counters().dropped();
        }

        boolean anyDrop()
        {
            for (int j = 0; j < packets; j++)
            {
                if (!ctx(j).reason().accepted())
                {
                    return true;
                }
            }
            return false;
        }
    }

    private Tally expand(final String schedule)
    {
        final Replay state = new Replay(design, packets, backends, replies, choice, schedule);
        if (state.allDone())
        {
            final String outcome = state.outcome();
            drops.put(outcome, state.anyDrop());
            conservation.merge(outcome, state.conserved(), Boolean::logicalAnd);
            final Map<String, long[]> counts = new LinkedHashMap<>();
            counts.put(outcome, new long[]{1});
            final Map<String, String> witness = new HashMap<>();
            witness.put(outcome, "");
            return new Tally(counts, witness);
        }
        final String key = state.key();
        final Tally known = memo.get(key);
        if (known != null)
        {
            return known;
        }
        if (++states > budget.maxStates())
        {
            throw new FlowclashException("explore: the state budget of " + budget.maxStates() + " distinct states " +
                "(--max-states) is spent before the exploration ends: give fewer packets or backends, or more states");
        }
        budget.statesSeen().lazySet(states);
        final Map<String, long[]> counts = new LinkedHashMap<>();
        final Map<String, String> witness = new HashMap<>();
        for (int j = 0; j < packets; j++)
        {
            if (!state.inFlight(j))
            {
                continue;
            }
            final String stepLabel = " " + letter(j) + "." + state.nextStepName(j);
            final Tally child = expand(schedule + letter(j));
            for (final Map.Entry<String, long[]> e : child.counts().entrySet())
            {
                counts.computeIfAbsent(e.getKey(), k -> new long[1])[0] += e.getValue()[0];
                witness.putIfAbsent(e.getKey(), stepLabel + child.witnesses().get(e.getKey()));
            }
        }
        final Tally tally = new Tally(counts, witness);
        memo.put(key, tally);
        return tally;
    }

    static void appendTuple(final StringBuilder sb, final long hi, final long lo)
    {
        sb.append(abstractPorts(Tuple.format(hi, lo)));
    }

    /** Ports other than the client's and the service's are NAT draws: shown as {@code *}. */
    static String abstractPorts(final String text)
    {
        return DRAWN_PORT.matcher(text).replaceAll("port=*");
    }
}
