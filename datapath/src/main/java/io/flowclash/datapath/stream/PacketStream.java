package io.flowclash.datapath.stream;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static io.flowclash.datapath.stream.PacketRecordDescriptor.RECORD_LENGTH;
import static io.flowclash.datapath.stream.PacketRecordDescriptor.RECORD_LENGTH_SHIFT;

/**
 * A bounded, single-writer, many-reader stream of fixed-size packet records in off-heap memory (direct or
 * memory-mapped). Records are written in place through a {@link PacketRecord} flyweight.
 *
 * <h3>Assumptions and Guarantees</h3>
 * <ol>
 *     <li>One thread writes: it calls {@link #claim} and then {@link #commit} (or {@link #publish}). Writers are
 *     not coordinated; two writers are a caller error.</li>
 *     <li>Readers call {@link #count()} (a load-acquire) and read only records below it.</li>
 *     <li>Guarantee: a reader that sees count {@code n} sees every byte of records {@code 0..n-1} as written
 *     before the {@code commit}/{@code publish} that made the count {@code n}: the count is written with a
 *     store-release after the record bytes (StoreStore + LoadLoad pairing), the same rule as Agrona's
 *     {@code RecordDescriptor} ("writing of a positive record length signals the record is complete").</li>
 *     <li>Progress: writing and reading are wait-free; nothing allocates after construction.</li>
 * </ol>
 */
public final class PacketStream
{
    private static final VarHandle COUNT;

    static
    {
        try
        {
            COUNT = MethodHandles.lookup().findVarHandle(PacketStream.class, "count", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final UnsafeBuffer buffer;
    private final int capacity;
    @SuppressWarnings("unused") // accessed through COUNT only
    private long count;

    private PacketStream(final UnsafeBuffer buffer, final int capacity, final long count)
    {
        this.buffer = buffer;
        this.capacity = capacity;
        this.count = count;
    }

    /**
     * Largest number of records one stream holds: one buffer is indexed by {@code int} (2 GiB).
     */
    public static final int MAX_RECORDS = (Integer.MAX_VALUE >> RECORD_LENGTH_SHIFT) - 1;

    /**
     * A new empty stream over zeroed, cache-line aligned direct memory.
     *
     * @param capacity records it can hold.
     * @return the stream.
     */
    public static PacketStream allocateDirect(final int capacity)
    {
        checkCapacity(capacity);
        final UnsafeBuffer buffer = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(Math.max(RECORD_LENGTH, capacity * RECORD_LENGTH), RECORD_LENGTH));
        return new PacketStream(buffer, capacity, 0);
    }

    /**
     * A stream over existing memory (e.g. a mapped file) whose first {@code count} records are complete.
     *
     * @param buffer   holding {@code capacity} records.
     * @param capacity records the buffer holds.
     * @param count    records already written and now published.
     * @return the stream.
     */
    public static PacketStream wrap(final UnsafeBuffer buffer, final int capacity, final int count)
    {
        checkCapacity(capacity);
        if ((long)capacity * RECORD_LENGTH > buffer.capacity() || count < 0 || count > capacity)
        {
            throw new IllegalArgumentException("buffer of " + buffer.capacity() + " bytes cannot hold " +
                capacity + " records with " + count + " written");
        }
        final PacketStream stream = new PacketStream(buffer, capacity, 0);
        stream.publish(count);
        return stream;
    }

    private static void checkCapacity(final int capacity)
    {
        if (capacity < 0 || capacity > MAX_RECORDS)
        {
            throw new IllegalArgumentException("stream capacity " + capacity + " outside 0.." + MAX_RECORDS);
        }
    }

    /** @return records the stream can hold. */
    public int capacity()
    {
        return capacity;
    }

    /** @return published records (load-acquire: the records below it are fully visible). */
    public int count()
    {
        return (int)(long)COUNT.getAcquire(this);
    }

    /** @return the buffer holding the records. */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Point a flyweight at a published record.
     *
     * @param index  record index, below {@link #count()}.
     * @param record flyweight to wrap.
     * @return the flyweight.
     */
    public PacketRecord record(final int index, final PacketRecord record)
    {
        return record.wrap(buffer, index << RECORD_LENGTH_SHIFT);
    }

    /**
     * Writer only: point a flyweight at the next free record. Nothing is visible to readers until
     * {@link #commit()}.
     *
     * @param record flyweight to wrap.
     * @return the flyweight.
     * @throws IllegalStateException when the stream is full.
     */
    public PacketRecord claim(final PacketRecord record)
    {
        final int next = (int)(long)COUNT.get(this); // lp: only the writer changes count
        if (next >= capacity)
        {
            throw new IllegalStateException("packet stream full: capacity " + capacity + " records");
        }
        return record.wrap(buffer, next << RECORD_LENGTH_SHIFT);
    }

    /** Writer only: publish the record last claimed. */
    public void commit()
    {
        final long next = (long)COUNT.get(this) + 1;
        COUNT.setRelease(this, next); // sr, StoreStore: record bytes before count
    }

    /**
     * Writer only: publish every record below {@code newCount} at once (records written in place beforehand).
     *
     * @param newCount records now complete.
     */
    public void publish(final int newCount)
    {
        COUNT.setRelease(this, (long)newCount); // sr, StoreStore: record bytes before count
    }
}
