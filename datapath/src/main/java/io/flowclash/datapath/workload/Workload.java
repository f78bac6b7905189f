package io.flowclash.datapath.workload;

import io.flowclash.datapath.stream.PacketStream;

/**
 * A seeded generator of client packets. Implementations are pure functions of their canonical spec: the same
 * spec writes the same bytes.
 */
public interface Workload
{
    /** @return the canonical spec (name and every parameter, defaults included). */
    String spec();

    /** @return the seed. */
    long seed();

    /** @return how many records {@link #generate} writes. */
    int recordCount();

    /** @return the service VIP the clients send to, host order. */
    int serviceAddress();

    /** @return the service port. */
    int servicePort();

    /**
     * Append {@link #recordCount()} records to the stream and publish them.
     *
     * @param stream with room for them.
     */
    void generate(PacketStream stream);
}
