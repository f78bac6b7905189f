package io.flowclash.report;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Input files for the report tests: the checked-in JMH results and a kernel-lab document in the layout
 * {@code flowclash kernel-lab --json} prints.
 */
public final class ReportFixtures
{
    /** A kernel-lab run as {@code KernelLabCommand} prints it (figures of a 6.x kernel, 2000 pairs, 2 backends). */
    public static final String LAB_JSON = """
        {"run":"fclab-abc123","kernel":"6.18.44","placement":"out","pairs":2000,"backends":2,"mode":"spin",
         "replies":false,"notrack":false,"emulate":"none",
         "kernelReadings":{"clashResolve":412,"merged":203,"split":209,"entriesCount":2209,"entriesListed":2000,
           "dnatCounter":2412,"natclashDrops":0,"mergedDrops":0,"received":4000,"rcvbufErrors":0,
           "responderSplit":209,"replies":0,"lostReplies":0,"badSource":0,"sendErrors":0,"eperm":0,
           "elapsedNs":912000000,"resolver":null,"stat":{"found":0,"insert":2209,"insert_failed":0,"drop":0,
           "clash_resolve":412}},
         "model":{"design":"nf-reverse-merge","clashResolve":405,"merged":199,"split":206,"hiddenEntries":206,
           "entries":2000,"dropped":0},
         "oldEras":{"sameOriginPredictedDrops":209,"sameOriginModelDrops":206,"dropEraPredictedDrops":412,
           "dropEraModelDrops":405}}
        """;

    private ReportFixtures()
    {
    }

    /** @return {@code docs/results-jmh.json} of the repository (tests run in {@code datapath/}). */
    public static Path jmhFile()
    {
        final Path p = Path.of("..", "docs", "results-jmh.json").toAbsolutePath().normalize();
        if (!Files.isRegularFile(p))
        {
            throw new IllegalStateException("no " + p);
        }
        return p;
    }
}
