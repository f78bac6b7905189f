package io.flowclash.datapath.flow;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Property checks over seeded random tuples (100 000 draws each, plus the edge values), then fixed examples.
 */
class TupleTest
{
    private static final int DRAWS = 100_000;
    private static final int[] EDGE_PORTS = {0, 1, 53, 32768, 65534, 65535};
    private static final int[] EDGE_ADDRESSES = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x0A60000A};

    interface TupleProperty
    {
        void check(int src, int dst, int sport, int dport, int proto);
    }

    private static void forAll(final TupleProperty property)
    {
        for (final int a : EDGE_ADDRESSES)
        {
            for (final int p : EDGE_PORTS)
            {
                property.check(a, ~a, p, 65535 - p, p & 0xFF);
            }
        }
        final SplittableRandom random = new SplittableRandom(20261126);
        for (int i = 0; i < DRAWS; i++)
        {
            property.check(random.nextInt(), random.nextInt(), random.nextInt(65536), random.nextInt(65536),
                random.nextInt(256));
        }
    }

    @Test
    void shouldRoundTripEveryField()
    {
        forAll((src, dst, sport, dport, proto) ->
        {
            final long hi = Tuple.hi(src, dst);
            final long lo = Tuple.lo(sport, dport, proto);
            assertThat(Tuple.srcAddress(hi)).isEqualTo(src);
            assertThat(Tuple.dstAddress(hi)).isEqualTo(dst);
            assertThat(Tuple.srcPort(lo)).isEqualTo(sport);
            assertThat(Tuple.dstPort(lo)).isEqualTo(dport);
            assertThat(Tuple.protocol(lo)).isEqualTo(proto);
        });
    }

    @Test
    void shouldInvertBySwappingEndsAndKeepProtocol()
    {
        forAll((src, dst, sport, dport, proto) ->
        {
            final long hi = Tuple.hi(src, dst);
            final long lo = Tuple.lo(sport, dport, proto);
            final long ihi = Tuple.invertHi(hi);
            final long ilo = Tuple.invertLo(lo);
            assertThat(ihi).isEqualTo(Tuple.hi(dst, src));
            assertThat(ilo).isEqualTo(Tuple.lo(dport, sport, proto));
            assertThat(Tuple.invertHi(ihi)).isEqualTo(hi);
            assertThat(Tuple.invertLo(ilo)).isEqualTo(lo);
        });
    }

    @Test
    void shouldReplaceOneFieldOnly()
    {
        forAll((src, dst, sport, dport, proto) ->
        {
            final long hi = Tuple.hi(src, dst);
            final long lo = Tuple.lo(sport, dport, proto);
            assertThat(Tuple.withDstAddress(hi, ~dst)).isEqualTo(Tuple.hi(src, ~dst));
            assertThat(Tuple.withSrcAddress(hi, ~src)).isEqualTo(Tuple.hi(~src, dst));
            assertThat(Tuple.withDstPort(lo, sport)).isEqualTo(Tuple.lo(sport, sport, proto));
            assertThat(Tuple.withSrcPort(lo, dport)).isEqualTo(Tuple.lo(dport, dport, proto));
        });
    }

    @Test
    void shouldHashDependOnSeedAndOnEveryWord()
    {
        forAll((src, dst, sport, dport, proto) ->
        {
            final long hi = Tuple.hi(src, dst);
            final long lo = Tuple.lo(sport, dport, proto);
            final long seed = hi * 31 + lo;
            final long h = Tuple.hash(hi, lo, seed);
            assertThat(Tuple.hash(hi, lo, seed)).isEqualTo(h);
            assertThat(Tuple.hash(hi, lo, seed + 1)).isNotEqualTo(h);
            assertThat(Tuple.hash(hi ^ 1, lo, seed)).isNotEqualTo(h);
            assertThat(Tuple.hash(hi, lo ^ (1L << 48), seed)).isNotEqualTo(h);
        });
    }

    @Test
    void shouldSpreadHashesEvenlyOverBuckets()
    {
        final int buckets = 1024;
        final int[] counts = new int[buckets];
        final int n = buckets * 64;
        for (int i = 0; i < n; i++)
        {
            // distinct tuples with sequential source ports of few clients: the shape DNS workloads have
            final long hi = Tuple.hi(0x0AF40001 + i / 28232, 0x0A60000A);
            final long lo = Tuple.lo(32768 + i % 28232, 53, Tuple.PROTO_UDP);
            counts[(int)(Tuple.hash(hi, lo, 42) & (buckets - 1))]++;
        }
        double chi2 = 0;
        for (final int c : counts)
        {
            chi2 += (c - 64.0) * (c - 64.0) / 64.0;
        }
        // 1023 degrees of freedom: mean 1023, sd ~45; 1300 is > 6 sd, i.e. a broken hash
        assertThat(chi2).isLessThan(1300);
    }

    @Test
    void shouldFormatLikeTheKernel()
    {
        final long hi = Tuple.hi(Ipv4.parse("10.0.0.1"), Ipv4.parse("10.96.0.10"));
        final long lo = Tuple.lo(40000, 53, Tuple.PROTO_UDP);
        assertThat(Tuple.format(hi, lo)).isEqualTo("src=10.0.0.1 dst=10.96.0.10 sport=40000 dport=53");
        assertThat(Tuple.format(Tuple.invertHi(hi), Tuple.invertLo(lo)))
            .isEqualTo("src=10.96.0.10 dst=10.0.0.1 sport=53 dport=40000");
    }

    @Test
    void shouldRejectWhatIsNotADottedQuad()
    {
        assertThat(Ipv4.format(Ipv4.parse("255.255.255.255"))).isEqualTo("255.255.255.255");
        assertThatThrownBy(() -> Ipv4.parse("10.0.0")).hasMessageContaining("'10.0.0'");
        assertThatThrownBy(() -> Ipv4.parse("10.0.0.256")).hasMessageContaining("256");
        assertThatThrownBy(() -> Ipv4.parse("example.com")).hasMessageContaining("example.com");
        assertThatThrownBy(() -> Ipv4.parse("10..0.1")).isInstanceOf(IllegalArgumentException.class);
    }
}
