package io.flowclash.jcstress.stream;

import io.flowclash.datapath.flow.Tuple;
import io.flowclash.datapath.stream.PacketRecord;
import io.flowclash.datapath.stream.PacketStream;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The publication rule of {@link PacketStream}: the writer writes the record bytes in place, then publishes the
 * count with a store-release; a reader that loads the count with a load-acquire and sees the record must see all
 * of its bytes.
 *
 * <p>How to run this test: {@code java -jar jcstress-tests/target/jcstress.jar -t PacketStreamTests}
 * (the JVM flags of the parent POM are added by {@code mvn verify}).
 */
public class PacketStreamTests
{
    static final long HI = Tuple.hi(0x0AF40001, 0x0A60000A);
    static final long LO = Tuple.lo(40000, 53, Tuple.PROTO_UDP);

    /*
     * ----------------------------------------------------------------------------------------------------------
     * Commit: one record claimed, written field by field (plain stores), then committed (store-release of the
     * count). The reader loads the count (load-acquire) and, if it sees the record, checks every field.
     * "1, 0" would mean the count became visible before the bytes it covers: a torn record on the hot path.
     */
    @JCStressTest
    @Description("A record committed to the stream is seen whole or not at all.")
    @Outcome(id = "0, -1", expect = ACCEPTABLE, desc = "Reader ran before the commit: no record visible.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Reader saw the committed record, every field intact.")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Count published but record bytes missing: torn record.")
    @Outcome(expect = FORBIDDEN, desc = "Other cases are forbidden.")
    @State
    public static class Commit
    {
        final PacketStream stream = PacketStream.allocateDirect(1);
        final PacketRecord writer = new PacketRecord();
        final PacketRecord reader = new PacketRecord();

        @Actor
        public void writer()
        {
            stream.claim(writer).timestampNs(42).tuple(HI, LO).socketCookie(7).queryId(0xBEEF);
            stream.commit();
        }

        @Actor
        public void reader(final II_Result r)
        {
            final int count = stream.count();
            r.r1 = count;
            if (count == 0)
            {
                r.r2 = -1;
                return;
            }
            final PacketRecord rec = stream.record(0, reader);
            r.r2 = rec.timestampNs() == 42 && rec.tupleHi() == HI && rec.tupleLo() == LO &&
                rec.socketCookie() == 7 && rec.queryId() == 0xBEEF ? 1 : 0;
        }
    }

    /*
     * ----------------------------------------------------------------------------------------------------------
     * Publish: a batch of two records written in place, then published together (one store-release of the count,
     * as a generator does). A reader seeing count 2 must see both records.
     */
    @JCStressTest
    @Description("A batch published at once is seen whole or not at all.")
    @Outcome(id = "0, -1", expect = ACCEPTABLE, desc = "Reader ran before the publish.")
    @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "Reader saw both records intact.")
    @Outcome(id = "2, 0", expect = FORBIDDEN, desc = "Count published but a record is missing: torn batch.")
    @Outcome(expect = FORBIDDEN, desc = "Other cases are forbidden.")
    @State
    public static class Publish
    {
        final PacketStream stream = PacketStream.allocateDirect(2);
        final PacketRecord writer = new PacketRecord();
        final PacketRecord reader = new PacketRecord();

        @Actor
        public void writer()
        {
            stream.record(0, writer).tuple(HI, LO).batchId(5);
            stream.record(1, writer).tuple(HI, LO).batchId(5);
            stream.publish(2);
        }

        @Actor
        public void reader(final II_Result r)
        {
            final int count = stream.count();
            r.r1 = count;
            if (count == 0)
            {
                r.r2 = -1;
                return;
            }
            final boolean first = stream.record(0, reader).batchId() == 5 && reader.tupleLo() == LO;
            final boolean second = stream.record(1, reader).batchId() == 5 && reader.tupleHi() == HI;
            r.r2 = first && second ? 1 : 0;
        }
    }
}
