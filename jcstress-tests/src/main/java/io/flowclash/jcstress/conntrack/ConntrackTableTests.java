package io.flowclash.jcstress.conntrack;

import io.flowclash.datapath.DatapathConfig;
import io.flowclash.datapath.design.Designs;
import io.flowclash.datapath.PacketContext;
import io.flowclash.datapath.conntrack.ConnDescriptor;
import io.flowclash.datapath.conntrack.NetfilterDatapath;
import io.flowclash.datapath.conntrack.StripedLockConntrackTable;
import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Memory-ordering contracts of {@link StripedLockConntrackTable} that the step machine relies on.
 *
 * <p>How to run this test: {@code java -jar jcstress-tests/target/jcstress.jar -t ConntrackTableTests}
 */
public class ConntrackTableTests
{
    /*
     * ----------------------------------------------------------------------------------------------------------
     * LookupDuringConfirm: a lock-free lookup never sees a half-written entry. One actor runs a packet through
     * the whole path (alloc writes the tuples, DNAT rewrites the REPLY tuple, confirm sets the absolute timeout and
     * CONFIRMED, then links the nodes with a store-release); the other looks the tuple up without a lock and, if it
     * finds a node, reads the entry. Found but not complete ("1, 0") would be a torn publication.
     */
    @JCStressTest
    @Description("A lookup that finds an entry sees it complete: tuples, NAT binding, timeout, CONFIRMED.")
    @Outcome(id = "0, -1", expect = ACCEPTABLE, desc = "Lookup ran before the entry was linked.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Found, and every field is as confirm left it.")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Found a half-written entry: broken publication.")
    @Outcome(expect = FORBIDDEN, desc = "Other cases are forbidden.")
    @State
    public static class LookupDuringConfirm
    {
        static final long HI = Tuple.hi(0x0AF40005, 0x0A60000A);
        static final long LO = Tuple.lo(40000, 53, Tuple.PROTO_UDP);
        static final long T0 = 1_000_000_000L;

        final NetfilterDatapath datapath = (NetfilterDatapath)Designs.get("nf-clash-insert").create(
            DatapathConfig.builder().backends(1).workers(2).maxEntries(8).buckets(16).lockStripes(4).build());
        final PacketContext ctx = datapath.newContext(0);
        final int backend = datapath.config().backendAddress(0);

        @Actor
        public void confirm()
        {
            datapath.begin(ctx, T0, HI, LO, PacketRecordDescriptor.DIR_ORIGINAL, 1);
            datapath.process(ctx);
        }

        @Actor
        public void lookup(final II_Result r)
        {
            final StripedLockConntrackTable table = datapath.table();
            final int node = table.find(HI, LO, T0, 1);
            if (node == StripedLockConntrackTable.NIL)
            {
                r.r1 = 0;
                r.r2 = -1;
                return;
            }
            final int c = node >> 1;
            r.r1 = 1;
            r.r2 = table.field(c, ConnDescriptor.ORIG_HI) == HI && table.field(c, ConnDescriptor.ORIG_LO) == LO &&
                Tuple.srcAddress(table.field(c, ConnDescriptor.REPLY_HI)) == backend &&
                table.timeout(c) > T0 && (table.status(c) & ConnDescriptor.IPS_CONFIRMED) != 0 &&
                (table.status(c) & ConnDescriptor.IPS_NAT_DONE_MASK) == ConnDescriptor.IPS_NAT_DONE_MASK ? 1 : 0;
        }
    }
}
