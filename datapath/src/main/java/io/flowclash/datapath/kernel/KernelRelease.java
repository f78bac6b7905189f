package io.flowclash.datapath.kernel;

import io.flowclash.datapath.FlowclashException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel release string as {@code uname -r} prints it, parsed: {@code MAJOR.MINOR[.SUBLEVEL][suffix]}, where the
 * suffix is the kernel's {@code EXTRAVERSION} and {@code LOCALVERSION} ({@code -rc3}, {@code -28-amd64},
 * {@code -56-generic}, {@code -1160.el7.x86_64}, {@code +}). The suffix is read for the distributions whose
 * conventions say something about backports (see {@link Distribution}); anything else is kept as text. Immutable.
 */
public final class KernelRelease
{
    /** A distribution convention recognised in the suffix. */
    public enum Distribution
    {
        /** No convention recognised: a mainline or stable release, or a vendor suffix the table does not read. */
        NONE,
        /** Ubuntu: {@code X.Y.0-ABI-flavour} (generic, lowlatency, aws, azure, gcp, gke, kvm, oracle, ...). */
        UBUNTU,
        /** Debian: {@code X.Y.0-ABI-arch} (amd64, arm64, cloud-amd64, rt-amd64, 686-pae, ...). */
        DEBIAN,
        /** Red Hat Enterprise Linux and rebuilds: {@code X.Y.0-BUILD...elN...}. */
        RHEL
    }

    private static final Pattern RELEASE = Pattern.compile("v?(\\d{1,3})\\.(\\d{1,3})(?:\\.(\\d{1,5}))?(.*)");
    private static final Pattern RC = Pattern.compile("-rc(\\d+).*");
    private static final Pattern UBUNTU = Pattern.compile(
        "-(\\d+)-(generic|lowlatency|aws|azure|gcp|gke|gkeop|kvm|oracle|ibm|oem|raspi|hwe|virtual)(?:-.*)?");
    private static final Pattern DEBIAN = Pattern.compile(
        "-(\\d+)-(amd64|arm64|armmp|armmp-lpae|cloud-amd64|cloud-arm64|rt-amd64|rt-arm64|686|686-pae|powerpc64le|" +
            "s390x|marvell|rpi)");
    private static final Pattern RHEL = Pattern.compile("-(\\d+)(?:\\.[0-9a-z_]+)*\\.el(\\d+)(?:[._][0-9a-z_.]*)?");

    private final String text;
    private final int major;
    private final int minor;
    private final int sublevel;
    private final String suffix;
    private final int releaseCandidate;
    private final Distribution distribution;
    private final int distributionAbi;

    private KernelRelease(final String text, final int major, final int minor, final int sublevel, final String suffix,
        final int releaseCandidate, final Distribution distribution, final int distributionAbi)
    {
        this.text = text;
        this.major = major;
        this.minor = minor;
        this.sublevel = sublevel;
        this.suffix = suffix;
        this.releaseCandidate = releaseCandidate;
        this.distribution = distribution;
        this.distributionAbi = distributionAbi;
    }

    /**
     * @param release a release string, e.g. {@code 5.10.0-28-amd64} or the output of {@code uname -r}.
     * @return the parsed release.
     * @throws FlowclashException one line naming the string when it is not a kernel release.
     */
    public static KernelRelease parse(final String release)
    {
        final String t = release == null ? "" : release.trim();
        final Matcher m = RELEASE.matcher(t);
        if (t.isEmpty() || !m.matches())
        {
            throw new FlowclashException("kernel release '" + (release == null ? "" : release) +
                "' is not MAJOR.MINOR[.SUBLEVEL][-suffix] (e.g. 5.10.0-28-amd64, 6.18.0, or $(uname -r))");
        }
        final int major = Integer.parseInt(m.group(1));
        final int minor = Integer.parseInt(m.group(2));
        final int sublevel = m.group(3) == null ? -1 : Integer.parseInt(m.group(3));
        final String suffix = m.group(4);
        if (major < 2 || major > 99 || !suffix.isEmpty() && "-+_.~".indexOf(suffix.charAt(0)) < 0)
        {
            throw new FlowclashException("kernel release '" + release +
                "' is not MAJOR.MINOR[.SUBLEVEL][-suffix] (e.g. 5.10.0-28-amd64, 6.18.0, or $(uname -r))");
        }
        final String lower = suffix.toLowerCase(Locale.ROOT);
        final Matcher rc = RC.matcher(lower);
        final int releaseCandidate = rc.matches() ? Integer.parseInt(rc.group(1)) : 0;
        Distribution distribution = Distribution.NONE;
        int abi = -1;
        final Matcher ubuntu = UBUNTU.matcher(lower);
        final Matcher debian = DEBIAN.matcher(lower);
        final Matcher rhel = RHEL.matcher(lower);
        if (sublevel == 0 && ubuntu.matches())
        {
            distribution = Distribution.UBUNTU;
            abi = Integer.parseInt(ubuntu.group(1));
        }
        else if (sublevel == 0 && debian.matches())
        {
            distribution = Distribution.DEBIAN;
            abi = Integer.parseInt(debian.group(1));
        }
        else if (rhel.matches())
        {
            distribution = Distribution.RHEL;
            abi = Integer.parseInt(rhel.group(1));
        }
        return new KernelRelease(t, major, minor, sublevel, suffix, releaseCandidate, distribution, abi);
    }

    /** @return the string as given (trimmed). */
    public String text()
    {
        return text;
    }

    /** @return the major version (5 in 5.10.3). */
    public int major()
    {
        return major;
    }

    /** @return the minor version (10 in 5.10.3). */
    public int minor()
    {
        return minor;
    }

    /** @return the sublevel (3 in 5.10.3), or -1 when the string has none (5.10). */
    public int sublevel()
    {
        return sublevel;
    }

    /** @return the sublevel, 0 when absent. */
    public int sublevelOrZero()
    {
        return Math.max(0, sublevel);
    }

    /** @return everything after MAJOR.MINOR[.SUBLEVEL], empty if nothing. */
    public String suffix()
    {
        return suffix;
    }

    /** @return N of a {@code -rcN} mainline release candidate, 0 if not one. */
    public int releaseCandidate()
    {
        return releaseCandidate;
    }

    /** @return the distribution convention recognised in the suffix. */
    public Distribution distribution()
    {
        return distribution;
    }

    /** @return the distribution's ABI or build number (56 in 4.15.0-56-generic), -1 if none. */
    public int distributionAbi()
    {
        return distributionAbi;
    }

    /**
     * @param otherMajor major.
     * @param otherMinor minor.
     * @return true if this release's MAJOR.MINOR is at least the given one.
     */
    public boolean atLeast(final int otherMajor, final int otherMinor)
    {
        return major != otherMajor ? major > otherMajor : minor >= otherMinor;
    }

    /**
     * @param otherMajor major.
     * @param otherMinor minor.
     * @return true if this is the given MAJOR.MINOR branch.
     */
    public boolean branch(final int otherMajor, final int otherMinor)
    {
        return major == otherMajor && minor == otherMinor;
    }

    /** @return {@code MAJOR.MINOR}. */
    public String branchName()
    {
        return major + "." + minor;
    }

    @Override
    public String toString()
    {
        return text;
    }
}
