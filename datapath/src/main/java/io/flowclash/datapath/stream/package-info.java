/**
 * The shared off-heap packet stream: fixed-size records in an Agrona {@link org.agrona.concurrent.UnsafeBuffer}
 * ({@link io.flowclash.datapath.stream.PacketRecordDescriptor} holds the layout,
 * {@link io.flowclash.datapath.stream.PacketRecord} is the flyweight), the single-writer stream with its
 * publication rule ({@link io.flowclash.datapath.stream.PacketStream}) and the stream file format
 * ({@link io.flowclash.datapath.stream.StreamFileDescriptor}, {@link io.flowclash.datapath.stream.StreamFiles}).
 */
package io.flowclash.datapath.stream;
