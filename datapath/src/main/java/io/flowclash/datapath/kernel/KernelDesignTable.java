package io.flowclash.datapath.kernel;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The one table from a kernel release to the design that models it. Mainline releases by the first release of each
 * deciding {@link KernelCommit}; stable branches by their backports; distribution kernels by their stated
 * backports. Where a point release is near a boundary that the sources did not settle, or the kernel is a
 * distribution build whose backports were not read, the answer carries the reason in
 * {@link KernelMatch#uncertain()}: it never guesses silently.
 *
 * <p>The ids are constants here and nowhere else in this package; {@code KernelDesignTableTest} checks that each
 * exists in the {@code Designs} registry.
 */
public final class KernelDesignTable
{
    /** Linux before 4.7: every clash dropped. */
    public static final String NF_DROP = "nf-drop";
    /** 4.7 - 4.8: merge only without NAT, with the hot-path statistics and the 4.7 early_drop. */
    public static final String NF_NONAT_MERGE_4_7 = "nf-nonat-merge-4.7";
    /** 4.9 - 4.18 (and stable branches without ed07d9a021df): merge only without NAT. */
    public static final String NF_NONAT_MERGE = "nf-nonat-merge";
    /** 4.19.0 - 4.19.28: merge identical tuples, race 2 drops. */
    public static final String NF_MERGE = "nf-merge";
    /** 5.0 - 5.5, and stable branches with ed07d9a021df and 4e35c1cb9460. */
    public static final String NF_SAME_ORIGIN = "nf-same-origin";
    /** 5.6 - 5.8.7: NAT_CLASH entry killed on its first reply. */
    public static final String NF_CLASH_INSERT_5_6 = "nf-clash-insert-5.6";
    /** 5.8.8 - 5.9: NAT_CLASH kept 1 s, no clash_resolve. */
    public static final String NF_CLASH_INSERT_5_9 = "nf-clash-insert-5.9";
    /** 5.10 - 5.14: clash_resolve counted. */
    public static final String NF_CLASH_INSERT_5_10 = "nf-clash-insert-5.10";
    /** 5.15: chain length limit (chaintoolong). */
    public static final String NF_CLASH_INSERT_5_15 = "nf-clash-insert-5.15";
    /** 5.16 - 6.11. */
    public static final String NF_CLASH_INSERT = "nf-clash-insert";
    /** 6.12 - current: reverse-direction merge. */
    public static final String NF_REVERSE_MERGE = "nf-reverse-merge";

    /** Every design id the table can answer, in era order. */
    public static final List<String> DESIGN_IDS = List.of(NF_DROP, NF_NONAT_MERGE_4_7, NF_NONAT_MERGE, NF_MERGE, NF_SAME_ORIGIN,
        NF_CLASH_INSERT_5_6, NF_CLASH_INSERT_5_9, NF_CLASH_INSERT_5_10, NF_CLASH_INSERT_5_15, NF_CLASH_INSERT,
        NF_REVERSE_MERGE);

    /** The newest branch the table was written against; later ones are assumed to behave like it. */
    static final int NEWEST_MAJOR = 6;
    static final int NEWEST_MINOR = 19;

    private KernelDesignTable()
    {
    }

    /**
     * @param release a parsed release.
     * @return the design, commits, layout and uncertainty.
     */
    public static KernelMatch resolve(final KernelRelease release)
    {
        final Set<KernelCommit> has = EnumSet.noneOf(KernelCommit.class);
        final List<String> notes = new ArrayList<>();
        final List<String> uncertain = new ArrayList<>();
        final int sub = release.sublevelOrZero();

        // mainline: each commit from its first release
        addFrom(has, release, 4, 7, KernelCommit.CLASH_RESOLUTION);
        addFrom(has, release, 4, 9, KernelCommit.HOTPATH_STATS_REMOVED);
        addFrom(has, release, 4, 19, KernelCommit.MATCH_MERGE);
        addFrom(has, release, 5, 0, KernelCommit.SAME_ORIGIN_SKIP);
        addFrom(has, release, 5, 12, KernelCommit.SAME_ZONE_SKIP);
        addFrom(has, release, 5, 6, KernelCommit.CLASH_INSERT);
        addFrom(has, release, 5, 9, KernelCommit.KEEP_CLASH_ENTRY);
        addFrom(has, release, 5, 10, KernelCommit.CLASH_RESOLVE_COUNTER);
        addFrom(has, release, 5, 10, KernelCommit.IGNORE_REMOVED);
        addFrom(has, release, 5, 15, KernelCommit.CHAIN_LIMIT);
        addFrom(has, release, 5, 16, KernelCommit.ASSURED_IN_STREAM);
        addFrom(has, release, 6, 12, KernelCommit.REVERSE_MERGE);
        addFrom(has, release, 6, 12, KernelCommit.REVERSE_PORT_KEEP);

        stableBackports(release, sub, has, notes, uncertain);
        distribution(release, has, notes, uncertain);

        if (release.releaseCandidate() > 0)
        {
            notes.add("release candidate " + release.branchName() + "-rc" + release.releaseCandidate() +
                ": read as " + release.branchName() + " (every deciding commit entered in a merge window, before " +
                "rc1, except c46172147ebb in 5.9-rc3)");
            if (release.branch(5, 9) && release.releaseCandidate() < 3)
            {
                has.remove(KernelCommit.KEEP_CLASH_ENTRY);
            }
        }
        if (release.major() < 3)
        {
            notes.add("Linux " + release.branchName() + " predates the sources read (3.x); read as the oldest era");
            uncertain.add("no " + release.branchName() + " source was read");
        }
        if (release.branch(4, 8) || release.branch(4, 9))
        {
            notes.add("the hot-path statistics (searched, found on lookup, new, insert) are counted through 4.8 " +
                "and not from 4.9: the release of their removal is assumed, the race outcome is the same");
            uncertain.add("the split between nf-nonat-merge-4.7 and nf-nonat-merge at 4.9 rests on an assumed " +
                "release (the commit that removed the hot-path statistics was not identified): on " +
                release.branchName() + " the counters and the table-full rule may be the other design's");
        }
        if (release.atLeast(NEWEST_MAJOR, NEWEST_MINOR + 1))
        {
            uncertain.add(release.branchName() + " is newer than the sources this table was written from (up to " +
                NEWEST_MAJOR + "." + NEWEST_MINOR + "); assumed to behave as 6.12+ (later changes, such as the " +
                "icmp and generic allow_clash of f7becf0dad8f and 8a49fc8d8a3e, are not UDP)");
        }

        final String design = design(has);
        final List<KernelCommit> lacks = new ArrayList<>();
        for (final KernelCommit c : KernelCommit.values())
        {
            if (!has.contains(c))
            {
                lacks.add(c);
            }
        }
        return new KernelMatch(release, design, era(design), List.copyOf(has), List.copyOf(lacks),
            StatLayout.of(release), List.copyOf(notes), List.copyOf(uncertain));
    }

    /**
     * @param release a release string.
     * @return {@link #resolve(KernelRelease)} of it parsed.
     * @throws io.flowclash.datapath.FlowclashException if the string is not a release.
     */
    public static KernelMatch resolve(final String release)
    {
        return resolve(KernelRelease.parse(release));
    }

    /**
     * @param designId a design id of the table.
     * @return the releases it models.
     */
    public static String era(final String designId)
    {
        switch (designId)
        {
            case NF_DROP:
                return "< 4.7";
            case NF_NONAT_MERGE_4_7:
                return "4.7 - 4.8";
            case NF_NONAT_MERGE:
                return "4.9 - 4.18 (and 4.9.y, 4.14.y before ~4.14.173, Ubuntu 4.15.0 before -56)";
            case NF_MERGE:
                return "4.19.0 - 4.19.28";
            case NF_SAME_ORIGIN:
                return "5.0 - 5.5, 5.4.y, 4.19.29+, 4.14.173+ (about), Ubuntu 4.15.0-56+";
            case NF_CLASH_INSERT_5_6:
                return "5.6 - 5.8.7";
            case NF_CLASH_INSERT_5_9:
                return "5.8.8 - 5.9.y";
            case NF_CLASH_INSERT_5_10:
                return "5.10 - 5.14";
            case NF_CLASH_INSERT_5_15:
                return "5.15.y";
            case NF_CLASH_INSERT:
                return "5.16 - 6.11";
            case NF_REVERSE_MERGE:
                return "6.12 - current";
            default:
                throw new IllegalArgumentException(designId);
        }
    }

    /**
     * The design a set of commits runs. The race outcome is decided by the merge rule (71d8c47fc653, ed07d9a021df,
     * a4e6a1031e77), the same-origin skip (4e35c1cb9460) and the reply-only insert (6a757c07e51f, c46172147ebb);
     * the counters by bc92470413f3 and d7e7747ac5c2.
     */
    static String design(final Set<KernelCommit> has)
    {
        if (has.contains(KernelCommit.REVERSE_MERGE))
        {
            return NF_REVERSE_MERGE;
        }
        if (has.contains(KernelCommit.CLASH_INSERT))
        {
            if (!has.contains(KernelCommit.KEEP_CLASH_ENTRY))
            {
                return NF_CLASH_INSERT_5_6;
            }
            if (!has.contains(KernelCommit.CLASH_RESOLVE_COUNTER))
            {
                return NF_CLASH_INSERT_5_9;
            }
            if (!has.contains(KernelCommit.CHAIN_LIMIT))
            {
                return NF_CLASH_INSERT_5_10;
            }
            return has.contains(KernelCommit.ASSURED_IN_STREAM) ? NF_CLASH_INSERT : NF_CLASH_INSERT_5_15;
        }
        if (has.contains(KernelCommit.MATCH_MERGE))
        {
            return has.contains(KernelCommit.SAME_ORIGIN_SKIP) ? NF_SAME_ORIGIN : NF_MERGE;
        }
        // without the nf_ct_match merge the same-origin skip keeps the port but confirm still drops: as 4.7-4.18
        if (!has.contains(KernelCommit.CLASH_RESOLUTION))
        {
            return NF_DROP;
        }
        return has.contains(KernelCommit.HOTPATH_STATS_REMOVED) ? NF_NONAT_MERGE : NF_NONAT_MERGE_4_7;
    }

    private static void addFrom(final Set<KernelCommit> has, final KernelRelease r, final int major, final int minor,
        final KernelCommit commit)
    {
        if (r.atLeast(major, minor))
        {
            has.add(commit);
        }
    }

    private static void stableBackports(final KernelRelease r, final int sub, final Set<KernelCommit> has,
        final List<String> notes, final List<String> uncertain)
    {
        final boolean vendor = r.distribution() != KernelRelease.Distribution.NONE;
        if (r.branch(4, 9) && !vendor)
        {
            if (sub >= 163)
            {
                has.add(KernelCommit.SAME_ORIGIN_SKIP);
                notes.add("4.9." + sub + " carries 4e35c1cb9460 (from 4.9.163) but not ed07d9a021df: the port is " +
                    "kept in race 2, but confirm still cannot merge a NAT-ed clash, so it drops as 4.7-4.18");
                if (sub < 170)
                {
                    notes.add("4.9.163 as the first 4.9.y with 4e35c1cb9460 comes from a secondary source (not " +
                        "verified); the design is the same either way");
                }
            }
        }
        else if (r.branch(4, 14) && !vendor)
        {
            if (sub >= 106)
            {
                has.add(KernelCommit.SAME_ORIGIN_SKIP);
            }
            if (sub >= 173)
            {
                has.add(KernelCommit.MATCH_MERGE);
                notes.add("4.14." + sub + " carries ed07d9a021df and 4e35c1cb9460 (the March 2020 stable backport): " +
                    "clashes merge as 5.0-5.5 (nf-same-origin); its UDP stream timeout stays 180 s (294304e4c522 " +
                    "is 5.0), which the model, at 120 s, does not follow");
            }
            else if (sub >= 106)
            {
                notes.add("4.14." + sub + " carries 4e35c1cb9460 (from 4.14.106) but not yet ed07d9a021df: drops " +
                    "as 4.7-4.18");
            }
            if (sub >= 160 && sub < 190)
            {
                uncertain.add("ed07d9a021df reached 4.14.y in the review cycle of 2020-03-10, very likely " +
                    "4.14.173 (not verified): 4.14." + sub + " is near that boundary");
            }
            if (sub >= 100 && sub < 112)
            {
                notes.add("4.14.106 as the first 4.14.y with 4e35c1cb9460 comes from a secondary source " +
                    "(not verified); the design is the same either way");
            }
        }
        else if (r.branch(4, 19) && !vendor)
        {
            if (sub >= 29)
            {
                has.add(KernelCommit.SAME_ORIGIN_SKIP);
                notes.add("4.19." + sub + " carries 4e35c1cb9460 (from 4.19.29): race 2 merges as nf-same-origin; " +
                    "its UDP stream timeout stays 180 s, which the model, at 120 s, does not follow");
            }
            if (sub >= 20 && sub < 40)
            {
                uncertain.add("4.19.29 as the first 4.19.y with 4e35c1cb9460 comes from a secondary source (not " +
                    "verified): 4.19." + sub + " is near that boundary");
            }
        }
        else if (r.branch(5, 4) && !vendor)
        {
            notes.add("5.4.y as read (stable source) has 4e35c1cb9460 and 07998281c268 but not the 5.6 clash " +
                "insert (6a757c07e51f): nf-same-origin");
        }
        else if (r.branch(5, 8) && !vendor)
        {
            if (sub >= 8)
            {
                has.add(KernelCommit.KEEP_CLASH_ENTRY);
                notes.add("5.8." + sub + " carries c46172147ebb (stable 5.8.8): the NAT_CLASH entry lives its 1 s");
            }
            else if (r.sublevel() < 0)
            {
                uncertain.add("5.8 without a sublevel: 5.8.0-5.8.7 kill the NAT_CLASH entry on its first reply, " +
                    "5.8.8+ keep it (c46172147ebb); read as 5.8.0");
            }
        }
        else if (r.branch(6, 11) && !vendor && sub > 0)
        {
            uncertain.add("a4e6a1031e77 (reverse-collision merge) was queued by AUTOSEL for 6.11.y; whether 6.11." +
                sub + " carries it was not verified (read as without it)");
        }
        // 07998281c268 reached 4.14.y in Feb 2021, taken as 4.14.222 (assumed; it only matters with conntrack zones,
        // so it changes no design here)
        if (r.branch(4, 14) && sub >= 222 && !vendor)
        {
            has.add(KernelCommit.SAME_ZONE_SKIP);
        }
        if (r.branch(5, 4) && !vendor)
        {
            has.add(KernelCommit.SAME_ZONE_SKIP);
        }
    }

    private static void distribution(final KernelRelease r, final Set<KernelCommit> has, final List<String> notes,
        final List<String> uncertain)
    {
        switch (r.distribution())
        {
            case UBUNTU:
                if (r.branch(4, 15))
                {
                    if (r.distributionAbi() >= 56)
                    {
                        has.add(KernelCommit.MATCH_MERGE);
                        has.add(KernelCommit.SAME_ORIGIN_SKIP);
                        notes.add("Ubuntu 4.15.0-" + r.distributionAbi() + ": the 2019-07 SRU backported " +
                            "ed07d9a021df and 4e35c1cb9460 from 4.15.0-56, so clashes merge as nf-same-origin; " +
                            "UDP stream timeout 180 s, which the model, at 120 s, does not follow");
                    }
                    else
                    {
                        notes.add("Ubuntu 4.15.0-" + r.distributionAbi() + " is before the 4.15.0-56 SRU of " +
                            "ed07d9a021df and 4e35c1cb9460");
                    }
                }
                else
                {
                    uncertain.add("Ubuntu " + r.text() + ": the ABI number does not give the upstream sublevel " +
                        "and Ubuntu's backports to this branch were not read; read as mainline " + r.branchName());
                }
                break;
            case DEBIAN:
                if (r.branch(4, 19))
                {
                    has.add(KernelCommit.SAME_ORIGIN_SKIP);
                    uncertain.add("Debian " + r.text() + ": the ABI number does not give the upstream sublevel " +
                        "(see /proc/version); every Debian 10 kernel released (4.19.37 and later) is past 4.19.29, " +
                        "so it is read as carrying 4e35c1cb9460 (nf-same-origin)");
                }
                else if (r.branch(4, 9) || r.branch(5, 8) || r.branch(4, 14) || r.branch(6, 11))
                {
                    uncertain.add("Debian " + r.text() + ": the upstream sublevel is not in the release string " +
                        "(see /proc/version) and decides the design on this branch; read as " + r.branchName() + ".0");
                }
                else
                {
                    notes.add("Debian " + r.text() + ": the ABI number does not give the upstream sublevel, which " +
                        "does not change the design on " + r.branchName() + ".y");
                }
                break;
            case RHEL:
                uncertain.add("RHEL " + r.text() + ": Red Hat backports conntrack changes into " + r.branchName() +
                    " (e.g. RHEL 8's nf_conntrack_common.h replaces ignore with clash_resolve); these backports " +
                    "were not read, so this is mainline " + r.branchName() + ", not necessarily this kernel");
                break;
            case NONE:
            default:
                if (!r.suffix().isEmpty() && r.releaseCandidate() == 0)
                {
                    notes.add("local version '" + r.suffix() + "' not read: taken as " + r.branchName() +
                        (r.sublevel() >= 0 ? "." + r.sublevel() : "") + " with no further backports");
                }
                break;
        }
    }
}
