package io.flowclash.datapath.bpf;

/**
 * Off-heap layout of {@link OffHeapBpfHashMap}: a bucket array, then the preallocated elements.
 *
 * <pre>
 *   bucket (8 bytes):   0 head: element index + 1, or a nulls marker -(bucket + 1) at the end of the chain
 *                       4 lock: 0 free, 1 held (the bucket's raw spinlock, htab's b->raw_lock)
 *
 *   element (64 bytes, one cache line):
 *     0  next      int    element index + 1, or the nulls marker of the chain's bucket
 *     4  flags     int    IN_USE (1); written only by writers under the bucket lock
 *     8  sequence  long   even when stable, odd while a writer changes key or value
 *    16  key0      long
 *    24  key1      long
 *    32  value     long
 *    40  bucket    int    the bucket the element is linked in
 *    44  reserved  int    (the free list's links are the LockFreeIndexStack's own)
 *    48  ref       int    LRU reference bit: 1 after a lookup, 0 when the LRU hand passed; written by lookups
 *    52  reserved  12 bytes
 * </pre>
 *
 * The nulls marker is the kernel's {@code hlist_nulls} trick: an element can be deleted and reused in another
 * bucket while a lookup stands on it; the lookup then ends on another bucket's marker and restarts.
 */
public final class BpfMapDescriptor
{
    /** Bytes per bucket. */
    public static final int BUCKET_LENGTH = 8;
    /** Offset of the head in a bucket. */
    public static final int HEAD_OFFSET = 0;
    /** Offset of the lock in a bucket. */
    public static final int LOCK_OFFSET = 4;

    /** Bytes per element. */
    public static final int ELEMENT_LENGTH = 64;
    /** Offset of the next link. */
    public static final int NEXT_OFFSET = 0;
    /** Offset of the flags. */
    public static final int FLAGS_OFFSET = 4;
    /** Offset of the sequence. */
    public static final int SEQUENCE_OFFSET = 8;
    /** Offset of the first key word. */
    public static final int KEY0_OFFSET = 16;
    /** Offset of the second key word. */
    public static final int KEY1_OFFSET = 24;
    /** Offset of the value. */
    public static final int VALUE_OFFSET = 32;
    /** Offset of the bucket index. */
    public static final int BUCKET_OFFSET = 40;
    /** Offset of the LRU reference word (a word of its own: lookups write it, never the flags). */
    public static final int REF_OFFSET = 48;

    /** Flag: element holds a key. */
    public static final int IN_USE = 1;

    private BpfMapDescriptor()
    {
    }

    /** @param bucket bucket index. @return its nulls marker. */
    public static int nulls(final int bucket)
    {
        return -(bucket + 1);
    }
}
