package io.flowclash.datapath.kernel;

import java.util.List;

/**
 * What the table says about one kernel release: the design that models it, the commits it has that decide it, the
 * counter file layout, notes, and why the answer is uncertain (empty when it is not). Immutable.
 *
 * @param release   the release asked about.
 * @param designId  the design id (a {@code Designs} id).
 * @param era       the era, as a range of releases.
 * @param has       the deciding commits this release carries.
 * @param lacks     the deciding commits it does not carry.
 * @param layout    its {@code /proc/net/stat/nf_conntrack} and {@code conntrack -S} layout.
 * @param notes     facts about this release that the design does not change (e.g. a backport without effect).
 * @param uncertain why the answer may be wrong for this release; empty if the table is sure.
 */
public record KernelMatch(KernelRelease release, String designId, String era, List<KernelCommit> has,
    List<KernelCommit> lacks, StatLayout layout, List<String> notes, List<String> uncertain)
{
    /** @return true if the table is not sure of this release. */
    public boolean isUncertain()
    {
        return !uncertain.isEmpty();
    }
}
