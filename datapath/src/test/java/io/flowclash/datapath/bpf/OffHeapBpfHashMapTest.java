package io.flowclash.datapath.bpf;

class OffHeapBpfHashMapTest extends BpfHashMapContractTest
{
    @Override
    BpfHashMap create(final int maxEntries, final boolean lru)
    {
        return new OffHeapBpfHashMap(maxEntries, lru, 42);
    }
}
