package io.flowclash.datapath.kernel;

import io.flowclash.datapath.FlowclashException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Kernel release strings as {@code uname -r} prints them on mainline, Debian, Ubuntu and RHEL kernels.
 */
class KernelReleaseTest
{
    @ParameterizedTest
    @CsvSource({
        "5.10.0-28-amd64, 5, 10, 0, -28-amd64, DEBIAN, 28",
        "4.15.0-56-generic, 4, 15, 0, -56-generic, UBUNTU, 56",
        "5.15.0-91-aws, 5, 15, 0, -91-aws, UBUNTU, 91",
        "6.18.0, 6, 18, 0, '', NONE, -1",
        "3.10.0-1160.el7.x86_64, 3, 10, 0, -1160.el7.x86_64, RHEL, 1160",
        "4.18.0-348.7.1.el8_5.x86_64, 4, 18, 0, -348.7.1.el8_5.x86_64, RHEL, 348",
        "6.18.44-fc-v1045, 6, 18, 44, -fc-v1045, NONE, -1",
        "5.4, 5, 4, -1, '', NONE, -1",
        "v6.1.55, 6, 1, 55, '', NONE, -1",
        "4.9.300+, 4, 9, 300, +, NONE, -1"})
    void shouldParseReleaseStrings(final String text, final int major, final int minor, final int sublevel,
        final String suffix, final KernelRelease.Distribution distribution, final int abi)
    {
        final KernelRelease r = KernelRelease.parse(text);
        assertThat(r.major()).isEqualTo(major);
        assertThat(r.minor()).isEqualTo(minor);
        assertThat(r.sublevel()).isEqualTo(sublevel);
        assertThat(r.suffix()).isEqualTo(suffix);
        assertThat(r.distribution()).isEqualTo(distribution);
        assertThat(r.distributionAbi()).isEqualTo(abi);
    }

    @Test
    void shouldReadReleaseCandidates()
    {
        assertThat(KernelRelease.parse("5.9-rc3").releaseCandidate()).isEqualTo(3);
        assertThat(KernelRelease.parse("6.12.0-rc1").releaseCandidate()).isEqualTo(1);
        assertThat(KernelRelease.parse("6.12.0").releaseCandidate()).isZero();
    }

    @Test
    void shouldParseThisMachinesRelease()
    {
        final KernelRelease r = KernelRelease.parse(System.getProperty("os.version"));
        assertThat(r.major()).isGreaterThanOrEqualTo(3);
        assertThat(r.text()).isEqualTo(System.getProperty("os.version").trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "5", "five.ten", "5.x", "x5.10", "5.10abc", "1.0", "5..10", "-5.10"})
    void shouldRefuseWhatIsNotARelease(final String text)
    {
        assertThatThrownBy(() -> KernelRelease.parse(text))
            .isInstanceOf(FlowclashException.class)
            .hasMessageContaining("is not MAJOR.MINOR[.SUBLEVEL][-suffix]")
            .hasMessageNotContaining("\n");
    }

    @Test
    void shouldCompareBranches()
    {
        final KernelRelease r = KernelRelease.parse("5.8.8");
        assertThat(r.atLeast(5, 8)).isTrue();
        assertThat(r.atLeast(5, 9)).isFalse();
        assertThat(r.atLeast(4, 19)).isTrue();
        assertThat(r.branch(5, 8)).isTrue();
        assertThat(r.branchName()).isEqualTo("5.8");
    }
}
