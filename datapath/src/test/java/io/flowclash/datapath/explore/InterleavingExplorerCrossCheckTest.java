package io.flowclash.datapath.explore;

import io.flowclash.datapath.design.Designs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The explorer's counts against a brute-force enumeration without any memo: every complete interleaving of every
 * backend vector is run on the real step methods through the {@code StepScheduler}, on a design no other
 * interleaving's state reaches, and its outcome counted once. The two outcome -> count maps must be equal exactly,
 * for every design at k=2 (n=1, 2) and k=3 (n=1), {@code cilium-socklb}'s 16.9 M interleavings at k=3 included.
 * And, since the racing packets are identical, renaming them permutes the counts: an outcome and its renamed twin
 * are reached by the same number of interleavings.
 */
class InterleavingExplorerCrossCheckTest
{
    /** The brute force splits its tree into at least this many subtrees, walked by every processor. */
    static final int SUBTREES = 64;

    static Stream<Arguments> cases()
    {
        final List<Arguments> rows = new ArrayList<>();
        for (final Designs.Design d : Designs.all())
        {
            rows.add(Arguments.of(d.id(), 2, 1));
            rows.add(Arguments.of(d.id(), 2, 2));
            rows.add(Arguments.of(d.id(), 3, 1));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} k={1} n={2}")
    @MethodSource("cases")
    void shouldCountEveryOutcomeAsTheBruteForceDoes(final String design, final int k, final int n)
    {
        final Map<String, Long> brute = bruteForce(design, k, n);
        final Map<String, Long> explored = counts(InterleavingExplorer.explore(design, k, n, false));
        assertThat(explored).as("%s k=%d n=%d: explorer against brute force", design, k, n).isEqualTo(brute);
    }

    @ParameterizedTest(name = "{0} k={1} n={2}")
    @MethodSource("cases")
    void shouldPermuteTheCountsWhenThePacketsAreRenamed(final String design, final int k, final int n)
    {
        final Map<String, Long> explored = counts(InterleavingExplorer.explore(design, k, n, false));
        for (final int[] perm : permutations(k))
        {
            for (final Map.Entry<String, Long> e : explored.entrySet())
            {
                final String renamed = rename(e.getKey(), perm);
                assertThat(explored.get(renamed)).as("%s k=%d n=%d: '%s' renamed %s is '%s'", design, k, n,
                    e.getKey(), java.util.Arrays.toString(perm), renamed).isEqualTo(e.getValue());
            }
        }
    }

    static Map<String, Long> counts(final InterleavingExplorer.Exploration e)
    {
        final Map<String, Long> m = new TreeMap<>();
        for (final InterleavingExplorer.Outcome o : e.outcomes())
        {
            m.put(o.description(), o.interleavings());
        }
        return m;
    }

    /**
     * Every backend vector, every complete schedule, each on a design of its own: no state is ever merged. The tree
     * of schedules is cut into subtrees at the shallowest depth that gives {@link #SUBTREES} of them (a subtree is a
     * backend vector and a schedule prefix); the subtrees are walked on every processor, each from a fresh design,
     * and their counts summed (a sum of counts of complete interleavings, not a merge of states).
     */
    static Map<String, Long> bruteForce(final String designId, final int packets, final int backends)
    {
        final Designs.Design design = Designs.get(designId);
        final Map<String, Long> out = new TreeMap<>();
        List<Subtree> level = new ArrayList<>();
        final int vectors = (int)Math.pow(backends, packets);
        for (int v = 0; v < vectors; v++)
        {
            final int[] choice = new int[packets];
            int rest = v;
            for (int j = 0; j < packets; j++)
            {
                choice[j] = rest % backends;
                rest /= backends;
            }
            level.add(new Subtree(choice, ""));
        }
        while (level.size() < SUBTREES && !level.isEmpty())
        {
            final List<Subtree> deeper = new ArrayList<>();
            for (final Subtree t : level)
            {
                final InterleavingExplorer.Replay here =
                    new InterleavingExplorer.Replay(design, packets, backends, false, t.choice(), t.prefix());
                if (here.allDone())
                {
                    out.merge(here.outcome(), 1L, Long::sum); // a complete interleaving shorter than the cut
                    continue;
                }
                for (int j = 0; j < packets; j++)
                {
                    if (here.inFlight(j))
                    {
                        deeper.add(new Subtree(t.choice(), t.prefix() + InterleavingExplorer.letter(j)));
                    }
                }
            }
            level = deeper;
        }
        final ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        try
        {
            final List<Future<Map<String, Long>>> parts = new ArrayList<>();
            for (final Subtree t : level)
            {
                parts.add(pool.submit(() ->
                {
                    final Map<String, Long> part = new HashMap<>();
                    walk(design, packets, backends, t.choice(), new StringBuilder(t.prefix()),
                        new InterleavingExplorer.Replay(design, packets, backends, false, t.choice(), t.prefix()),
                        part);
                    return part;
                }));
            }
            for (final Future<Map<String, Long>> part : parts)
            {
                part.get().forEach((outcome, n) -> out.merge(outcome, n, Long::sum));
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        catch (final ExecutionException e)
        {
            throw new IllegalStateException(e.getCause());
        }
        finally
        {
            pool.shutdownNow();
        }
        return out;
    }

    /** A subtree of the brute force: a backend vector and the schedule prefix that leads to its root. */
    private record Subtree(int[] choice, String prefix)
    {
    }

    /**
     * Depth first: the state reached by {@code prefix} is {@code here}. Every child but the last is rebuilt from
     * scratch on a fresh design (replaying its prefix); the last child continues on {@code here}, which nothing
     * else uses afterwards.
     */
    private static void walk(final Designs.Design design, final int packets, final int backends, final int[] choice,
        final StringBuilder prefix, final InterleavingExplorer.Replay here, final Map<String, Long> out)
    {
        if (here.allDone())
        {
            out.merge(here.outcome(), 1L, Long::sum);
            return;
        }
        int last = -1;
        for (int j = 0; j < packets; j++)
        {
            if (here.inFlight(j))
            {
                last = j;
            }
        }
        for (int j = 0; j < packets; j++)
        {
            if (!here.inFlight(j))
            {
                continue;
            }
            prefix.append(InterleavingExplorer.letter(j));
            final InterleavingExplorer.Replay child;
            if (j == last)
            {
                here.step(j);
                child = here;
            }
            else
            {
                child = new InterleavingExplorer.Replay(design, packets, backends, false, choice, prefix);
            }
            walk(design, packets, backends, choice, prefix, child, out);
            prefix.setLength(prefix.length() - 1);
        }
    }

    /** The description with packet {@code perm[j]}'s verdict given to packet {@code j}. */
    static String rename(final String description, final int[] perm)
    {
        final int bar = description.indexOf('|');
        final String[] verdicts = description.substring(0, bar).trim().split(" ");
        final StringBuilder sb = new StringBuilder();
        for (int j = 0; j < verdicts.length; j++)
        {
            final String v = verdicts[perm[j]];
            sb.append(InterleavingExplorer.letter(j)).append(v.substring(1)).append(' ');
        }
        return sb.append(description.substring(bar)).toString();
    }

    static List<int[]> permutations(final int k)
    {
        final List<int[]> out = new ArrayList<>();
        permute(new int[k], new boolean[k], 0, out);
        return out;
    }

    private static void permute(final int[] p, final boolean[] used, final int at, final List<int[]> out)
    {
        if (at == p.length)
        {
            out.add(p.clone());
            return;
        }
        for (int i = 0; i < p.length; i++)
        {
            if (!used[i])
            {
                used[i] = true;
                p[at] = i;
                permute(p, used, at + 1, out);
                used[i] = false;
            }
        }
    }
}
