package io.flowclash.cli;

import io.flowclash.datapath.stream.PacketRecord;
import io.flowclash.datapath.stream.PacketRecordDescriptor;
import io.flowclash.datapath.stream.PacketStream;
import io.flowclash.datapath.stream.StreamFile;
import io.flowclash.datapath.stream.StreamFileDescriptor;
import io.flowclash.datapath.workload.Workload;
import io.flowclash.datapath.workload.Workloads;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.flowclash.io.SafeOutput;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code flowclash stream}: generate, save and inspect packet streams.
 */
@Command(
    name = "stream",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Generate, save and inspect packet stream files.",
    subcommands = {StreamCommand.Gen.class, StreamCommand.Inspect.class})
public final class StreamCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing a subcommand (gen or inspect)");
    }

    /** @return the workloads of the registry, for the footers of {@code stream gen --help} and {@code run --help}. */
    static String workloadHelp()
    {
        final StringBuilder sb = new StringBuilder("%nWorkloads (spec: name[:key=value,...]):");
        for (final Workloads.Entry entry : Workloads.entries())
        {
            wrap(sb, "  " + entry.name() + ": " + entry.description(), "      ");
            wrap(sb, "      params: " + entry.params(), "        ");
        }
        return sb.append("%n").toString();
    }

    /** Append text as lines of at most 79 columns, continuation lines indented; {@code %} escaped for picocli. */
    static void wrap(final StringBuilder sb, final String text, final String indent)
    {
        final String trimmed = text.stripLeading();
        final String lead = text.substring(0, text.length() - trimmed.length());
        int column = lead.length();
        sb.append("%n").append(lead);
        boolean first = true;
        for (final String word : trimmed.replace("%", "%%").split(" "))
        {
            if (!first && column + 1 + word.length() > 79)
            {
                sb.append("%n").append(indent);
                column = indent.length();
            }
            else if (!first)
            {
                sb.append(' ');
                column++;
            }
            sb.append(word);
            column += word.length();
            first = false;
        }
    }

    /** {@code flowclash stream gen}. */
    @Command(
        name = "gen",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Generate a workload's packet stream and save it to a file.")
    static final class Gen implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-w", "--workload"}, paramLabel = "SPEC", defaultValue = Workloads.DEFAULT_SPEC,
            description = "Workload spec, e.g. dns-pairs:sockets=1000,interval=1ms (default: ${DEFAULT-VALUE}).")
        String workload;

        @Option(names = "--seed", paramLabel = "N", description = "Seed (instead of seed= in the spec).")
        Long seed;

        @Option(names = {"-o", "--out"}, paramLabel = "FILE", required = true, description = "Stream file to write.")
        Path out;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @CommandLine.Mixin
        Progress.Options progressOptions = new Progress.Options();

        @Override
        public void run()
        {
            final Workload w = Workloads.parse(workload, seed);
            SafeOutput.checkFile(out, "stream file"); // refuse a bad --out before generating anything
            final long t0;
            final long t1;
            final long t2;
            final long checksum;
            final PacketStream stream;
            try (Progress progress = Progress.start(spec.commandLine(), progressOptions))
            {
                t0 = System.nanoTime();
                stream = PacketStream.allocateDirect(w.recordCount());
                progress.phase("generating " + out.getFileName(), "records", w.recordCount(), stream::count);
                w.generate(stream);
                t1 = System.nanoTime();
                final AtomicLong written = new AtomicLong();
                progress.phase("saving " + out.getFileName(), "records", stream.count(), written::get);
                checksum = StreamFile.save(out, stream, w.spec(), w.seed(), written);
                t2 = System.nanoTime();
            }
            final int count = stream.count();
            final PrintWriter pw = spec.commandLine().getOut();
            if (json)
            {
                pw.println(new Json().beginObject()
                    .field("file", out.toString())
                    .field("workload", w.spec())
                    .field("seed", w.seed())
                    .field("records", count)
                    .field("bytes", (long)count * PacketRecordDescriptor.RECORD_LENGTH)
                    .field("checksum", String.format("0x%08x", checksum))
                    .field("generateNs", t1 - t0)
                    .field("saveNs", t2 - t1)
                    .field("generateRecordsPerSecond", rate(count, t1 - t0))
                    .field("saveRecordsPerSecond", rate(count, t2 - t1))
                    .endObject());
            }
            else
            {
                pw.printf(Locale.ROOT, "wrote %s: %,d records of %d B, workload %s%n", out, count,
                    PacketRecordDescriptor.RECORD_LENGTH, w.spec());
                pw.printf(Locale.ROOT, "checksum crc32c 0x%08x; generated in %.1f ms (%s records/s), " +
                    "saved in %.1f ms (%s records/s)%n", checksum, (t1 - t0) / 1e6, human(rate(count, t1 - t0)),
                    (t2 - t1) / 1e6, human(rate(count, t2 - t1)));
            }
        }
    }

    /** {@code flowclash stream inspect}. */
    @Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Validate a stream file and show its header, counts and first records.")
    static final class Inspect implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "Stream file.")
        Path file;

        @Option(names = {"-n", "--records"}, paramLabel = "N", defaultValue = "6",
            description = "How many first records to show (default: ${DEFAULT-VALUE}).")
        int records;

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public void run()
        {
            if (records < 0)
            {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "--records must be 0 or more, got " + records);
            }
            final long t0 = System.nanoTime();
            try (StreamFile sf = StreamFile.open(file))
            {
                final long loadNs = System.nanoTime() - t0;
                final PacketStream stream = sf.stream();
                final int count = stream.count();
                final PacketRecord r = new PacketRecord();
                long original = 0;
                long reply = 0;
                long a = 0;
                long aaaa = 0;
                long other = 0;
                long batches = 0;
                long multiBatches = 0;
                long minT = Long.MAX_VALUE;
                long maxT = Long.MIN_VALUE;
                for (int i = 0; i < count; i++)
                {
                    stream.record(i, r);
                    if (r.direction() == PacketRecordDescriptor.DIR_ORIGINAL)
                    {
                        original++;
                    }
                    else
                    {
                        reply++;
                    }
                    final int qtype = r.queryType();
                    if (qtype == PacketRecordDescriptor.QTYPE_A)
                    {
                        a++;
                    }
                    else if (qtype == PacketRecordDescriptor.QTYPE_AAAA)
                    {
                        aaaa++;
                    }
                    else
                    {
                        other++;
                    }
                    if (r.batchIndex() == 0)
                    {
                        batches++;
                        if (r.batchSize() > 1)
                        {
                            multiBatches++;
                        }
                    }
                    minT = Math.min(minT, r.timestampNs());
                    maxT = Math.max(maxT, r.timestampNs());
                }
                final int shown = Math.min(records, count);
                final PrintWriter pw = spec.commandLine().getOut();
                final String checksum = String.format("0x%08x", sf.recordsChecksum());
                if (json)
                {
                    final Json j = new Json().beginObject()
                        .field("file", file.toString())
                        .field("formatVersion", sf.version())
                        .field("recordLength", PacketRecordDescriptor.RECORD_LENGTH)
                        .field("headerLength", sf.headerLength())
                        .field("workload", sf.spec())
                        .field("seed", sf.seed())
                        .field("records", count)
                        .field("checksum", checksum)
                        .field("checksumBlocks", sf.blockCount())
                        .field("checksumState", "verified")
                        .field("loadNs", loadNs)
                        .name("byDirection").beginObject().field("original", original).field("reply", reply).endObject()
                        .name("byQueryType").beginObject().field("A", a).field("AAAA", aaaa).field("other", other)
                        .endObject()
                        .field("batches", batches)
                        .field("batchesSentTogether", multiBatches)
                        .field("firstTimestampNs", count == 0 ? 0 : minT)
                        .field("lastTimestampNs", count == 0 ? 0 : maxT)
                        .name("firstRecords").beginArray();
                    for (int i = 0; i < shown; i++)
                    {
                        stream.record(i, r);
                        j.beginObject()
                            .field("index", i)
                            .field("timestampNs", r.timestampNs())
                            .field("direction", PacketRecordDescriptor.directionName(r.direction()))
                            .field("tuple", io.flowclash.datapath.flow.Tuple.format(r.tupleHi(), r.tupleLo()))
                            .field("socketCookie", r.socketCookie())
                            .field("batchId", r.batchId())
                            .field("batchIndex", r.batchIndex())
                            .field("batchSize", r.batchSize())
                            .field("lookupId", r.lookupId())
                            .field("queryId", r.queryId())
                            .field("queryType", PacketRecordDescriptor.queryTypeName(r.queryType()))
                            .field("flags", r.flags())
                            .endObject();
                    }
                    pw.println(j.endArray().endObject());
                }
                else
                {
                    pw.printf(Locale.ROOT, "file          %s%n", file);
                    pw.printf(Locale.ROOT, "format        version %d (newest read: %d), %d-byte header, %d B records%n",
                        sf.version(), StreamFileDescriptor.VERSION, sf.headerLength(),
                        PacketRecordDescriptor.RECORD_LENGTH);
                    pw.printf(Locale.ROOT, "workload      %s%n", sf.spec());
                    pw.printf(Locale.ROOT, "seed          %d%n", sf.seed());
                    pw.printf(Locale.ROOT, "records       %,d%n", count);
                    pw.printf(Locale.ROOT, "checksum      crc32c %s over %d block(s): verified%n", checksum,
                        sf.blockCount());
                    pw.printf(Locale.ROOT, "loaded        in %.1f ms (%s records/s, validated and mapped)%n",
                        loadNs / 1e6, human(rate(count, loadNs)));
                    pw.printf(Locale.ROOT, "by direction  original %,d  reply %,d%n", original, reply);
                    pw.printf(Locale.ROOT, "by qtype      A %,d  AAAA %,d  other %,d%n", a, aaaa, other);
                    pw.printf(Locale.ROOT, "batches       %,d (%,d sent together)%n", batches, multiBatches);
                    if (count > 0)
                    {
                        pw.printf(Locale.ROOT, "time span     %d ns .. %d ns%n", minT, maxT);
                    }
                    if (shown > 0)
                    {
                        pw.printf(Locale.ROOT, "first %d records:%n", shown);
                        for (int i = 0; i < shown; i++)
                        {
                            pw.printf(Locale.ROOT, "  #%d %s%n", i, stream.record(i, r).appendTo(new StringBuilder()));
                        }
                    }
                }
            }
        }
    }

    static double rate(final long count, final long ns)
    {
        return ns <= 0 ? Double.NaN : count * 1e9 / ns;
    }

    static String human(final double perSecond)
    {
        if (Double.isNaN(perSecond))
        {
            return "-";
        }
        if (perSecond >= 1e6)
        {
            return String.format(Locale.ROOT, "%.1f M", perSecond / 1e6);
        }
        if (perSecond >= 1e3)
        {
            return String.format(Locale.ROOT, "%.1f k", perSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }
}
