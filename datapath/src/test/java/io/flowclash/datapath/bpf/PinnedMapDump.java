package io.flowclash.datapath.bpf;

/**
 * Run in a separate JVM by {@link ChronicleBpfHashMapTest}: opens a pinned map and prints its entries.
 */
public final class PinnedMapDump
{
    private PinnedMapDump()
    {
    }

    /** @param args file, max entries. */
    public static void main(final String[] args)
    {
        try (ChronicleBpfHashMap map = ChronicleBpfHashMap.pin(java.nio.file.Paths.get(args[0]),
            Integer.parseInt(args[1]), true))
        {
            System.out.println("size=" + map.size());
            map.forEach((k0, k1, v) -> System.out.println(k0 + "," + k1 + "=" + v));
        }
    }
}
