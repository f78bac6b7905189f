package io.flowclash.report;

import java.util.List;

/**
 * A workaround of the DNS race as an operator applies it: a backend selection, NOTRACK for DNS, or one replica. Not
 * a design: it is a knob of {@code flowclash run} ({@code --selector}, {@code --notrack}, {@code --backends 1}).
 *
 * @param id        short id used in tables and file names.
 * @param label     what it is, for people.
 * @param selector  the {@code --selector} value.
 * @param notrack   true for {@code --notrack}.
 * @param backends  the backend count it forces ({@code 1} for one replica), or 0 to keep the scenario's.
 */
public record Workaround(String id, String label, String selector, boolean notrack, int backends)
{
    /** No workaround: kube-proxy's iptables {@code statistic} random choice. */
    public static final Workaround NONE =
        new Workaround("none", "none (iptables statistic random)", "random", false, 0);
    /** IPVS source hashing: one client address always reaches one backend. */
    public static final Workaround IPVS_SH = new Workaround("ipvs-sh", "IPVS sh (source hashing)", "sh", false, 0);
    /** IPVS destination hashing. */
    public static final Workaround IPVS_DH = new Workaround("ipvs-dh", "IPVS dh (destination hashing)", "dh", false, 0);
    /** NOTRACK for DNS, as NodeLocal DNSCache sets it. */
    public static final Workaround NOTRACK =
        new Workaround("notrack", "NOTRACK (NodeLocal DNSCache)", "random", true, 0);
    /** One DNS replica: every clash has the same translation. */
    public static final Workaround ONE_REPLICA = new Workaround("one-replica", "one replica", "random", false, 1);

    /** @return every workaround, no workaround first. */
    public static List<Workaround> all()
    {
        return List.of(NONE, IPVS_SH, IPVS_DH, NOTRACK, ONE_REPLICA);
    }
}
