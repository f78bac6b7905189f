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

    /** A scenario table as {@code kernel-lab --matrix --json} prints it (two rows, shortened). */
    public static final String LAB_TABLE_JSON = """
        {"kernel":"6.18.44","thisKernelModel":"nf-reverse-merge (6.12 - current)","scenarios":[
         {"run":"fcl000001","placement":"out","era":"emulated <= 4.18","emulate":"drop","lb":"nft","resolver":"glibc",
          "resolvOptions":"default","notrack":false,"raceShare":1.0,"backends":2,"lookups":20,"answered":20,
          "partial":0,"failed":0,"slowerThan1s":20,"p50Us":5001000,"p99Us":5002000,"maxUs":5002000,
          "kernel":{"clashResolve":0,"dnatCounter":40,"entriesCount":20,"entriesListed":20,"stat":{"drop":20}},
          "model":{"design":"nf-nonat-merge","racing":20,"stalled":20,"clashResolve":0,"p50Us":5000100,
          "p99Us":5000100,"maxUs":5000100}},
         {"run":"fcl000002","placement":"out","era":"real 6.18.44","emulate":"none","lb":"nft","resolver":"musl",
          "resolvOptions":"default","notrack":false,"raceShare":1.0,"backends":2,"lookups":20,"answered":20,
          "partial":0,"failed":0,"slowerThan1s":0,"p50Us":700,"p99Us":2100,"maxUs":2100,
          "kernel":{"clashResolve":20,"dnatCounter":40,"entriesCount":30,"entriesListed":20,"stat":{"drop":0}},
          "model":{"design":"nf-reverse-merge","racing":20,"stalled":0,"clashResolve":20,"p50Us":100,
          "p99Us":100,"maxUs":100}}]}
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
