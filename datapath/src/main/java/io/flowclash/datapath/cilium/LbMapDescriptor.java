package io.flowclash.datapath.cilium;

/**
 * Key and value packing of the Cilium maps both Cilium designs use, in the two-long keys and one-long values of a
 * {@link io.flowclash.datapath.bpf.BpfHashMap}: one place, so that {@link SocketLbDatapath} and {@link TcLbDatapath}
 * cannot disagree about a service's rev-NAT index or a field's bits.
 *
 * <pre>
 *   service rev-NAT index   REV_NAT_INDEX (lb4_service.rev_nat_index; one service in this model)
 *
 *   cilium_lb4_reverse_sk (socket LB, struct ipv4_revnat_tuple -> struct ipv4_revnat_entry)
 *     key k0   socket cookie
 *     key k1   bits 16..47 backend address, bits 0..15 backend port
 *     value    bits 32..63 service address, bits 16..31 service port, bits 0..15 rev_nat_index
 *
 *   cilium_ct_any4_global (tc LB, struct ipv4_ct_tuple -> struct ct_entry)
 *     key      the tuple (Tuple hi, lo) with the scope flag in lo's reserved low byte:
 *              TUPLE_F_SERVICE (CT_SERVICE entries, client -> VIP) or TUPLE_F_OUT (egress, client -> backend)
 *     value    bits 32..63 rev_nat_index (egress entries; 0 for service entries), bits 0..31 backend index
 * </pre>
 */
final class LbMapDescriptor
{
    /** The service's rev-NAT index. */
    static final int REV_NAT_INDEX = 1;
    /** Tuple flag of CT_SERVICE-scope entries (TUPLE_F_SERVICE), kept in the tuple's reserved low bits. */
    static final long TUPLE_F_SERVICE = 4;
    /** Tuple flag of the egress (client -> backend) entries (TUPLE_F_OUT). */
    static final long TUPLE_F_OUT = 1;
    /** Mask of the tuple's reserved low byte that carries the flags. */
    static final long TUPLE_FLAGS_MASK = 0xFFL;

    /** Longs per worker's lookup buffer: slot 0 receives the value, the rest pads to two cache lines. */
    static final int LOOKUP_ROW = 16;

    private LbMapDescriptor()
    {
    }

    /**
     * One lookup buffer per worker ({@code bpf_map_lookup_elem} writes the value to slot 0). Each row is two cache
     * lines long, so as allocated (consecutively) one worker's slot 0 and the next worker's are at least two lines
     * apart; the JVM does not promise placement, this only avoids the false sharing of 8-long rows packed together.
     *
     * @param workers workers.
     * @return the buffers, indexed by worker.
     */
    static long[][] lookupBuffers(final int workers)
    {
        return new long[workers][LOOKUP_ROW];
    }

    /** @param address backend address. @param port backend port. @return the rev-NAT socket key's second word. */
    static long revNatKey1(final int address, final int port)
    {
        return ((long)address << 16) | (port & 0xFFFF);
    }

    /**
     * @param address service address.
     * @param port    service port.
     * @param index   rev-NAT index.
     * @return the rev-NAT socket value.
     */
    static long revNatValue(final int address, final int port, final int index)
    {
        return ((long)address << 32) | ((long)(port & 0xFFFF) << 16) | (index & 0xFFFF);
    }

    /** @param value rev-NAT socket value. @return the service address. */
    static int revNatAddress(final long value)
    {
        return (int)(value >>> 32);
    }

    /** @param value rev-NAT socket value. @return the service port. */
    static int revNatPort(final long value)
    {
        return (int)((value >>> 16) & 0xFFFF);
    }

    /** @param value rev-NAT socket value. @return the rev-NAT index. */
    static int revNatIndex(final long value)
    {
        return (int)(value & 0xFFFF);
    }

    /** @param revNatIndex rev-NAT index (0 for service entries). @param backend backend index. @return CT value. */
    static long ctValue(final int revNatIndex, final int backend)
    {
        return ((long)revNatIndex << 32) | (backend & 0xFFFF_FFFFL);
    }

    /** @param value CT value. @return its rev-NAT index. */
    static int ctRevNatIndex(final long value)
    {
        return (int)(value >>> 32);
    }

    /** @param value CT value. @return its backend index. */
    static int ctBackend(final long value)
    {
        return (int)value;
    }
}
