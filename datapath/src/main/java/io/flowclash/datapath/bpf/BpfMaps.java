package io.flowclash.datapath.bpf;

import io.flowclash.datapath.DatapathConfig;
import io.flowclash.io.SafeOutput;

/**
 * Creates a design's BPF maps with the engine its configuration asks for: off-heap (default) or pinned in a
 * Chronicle Map file under the pin directory (the bpffs of the model).
 */
public final class BpfMaps
{
    private BpfMaps()
    {
    }

    /**
     * @param config the design's configuration (map size, LRU, pin directory).
     * @param name   the map's name, e.g. {@code cilium_lb4_reverse_sk}; the pinned file is named after it.
     * @return a new map.
     */
    public static BpfHashMap create(final DatapathConfig config, final String name)
    {
        if (config.pinDirectory() == null)
        {
            return new OffHeapBpfHashMap(config.mapEntries(), config.mapLru(), config.seed() ^ name.hashCode());
        }
        // an existing directory, or a new one in an existing parent (one mkdir); anything else is refused
        final java.nio.file.Path dir = SafeOutput.ensureDirectory(config.pinDirectory(), "pin directory");
        return ChronicleBpfHashMap.pin(dir.resolve(name + ".cm"), config.mapEntries(), config.mapLru());
    }
}
