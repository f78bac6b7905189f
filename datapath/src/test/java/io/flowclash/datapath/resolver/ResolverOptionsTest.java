package io.flowclash.datapath.resolver;

import io.flowclash.datapath.FlowclashException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResolverOptionsTest
{
    @Test
    void defaultsAreTheLibrariesDefaults()
    {
        for (final ResolverKind k : ResolverKind.values())
        {
            final ResolverOptions o = ResolverOptions.parse(k, null);
            assertThat(o.timeoutSeconds()).isEqualTo(5);
            assertThat(o.attempts()).isEqualTo(2);
            assertThat(o.singleRequest()).isFalse();
            assertThat(o.singleRequestReopen()).isFalse();
        }
    }

    @Test
    void parsesGlibcOptionsAndClampsAsResInitDoes()
    {
        final ResolverOptions o = ResolverOptions.parse(ResolverKind.GLIBC, "single-request timeout:99+attempts:9");
        assertThat(o.singleRequest()).isTrue();
        assertThat(o.timeoutSeconds()).isEqualTo(30);
        assertThat(o.attempts()).isEqualTo(5);
        assertThat(ResolverOptions.parse(ResolverKind.MUSL, "attempts:99").attempts()).isEqualTo(10);
        assertThat(ResolverOptions.parse(ResolverKind.GLIBC, "single-request-reopen").optionsLine())
            .isEqualTo("timeout:5 attempts:2 single-request-reopen");
    }

    @Test
    void refusesWhatTheModelCannotHonour()
    {
        assertThatThrownBy(() -> ResolverOptions.parse(ResolverKind.MUSL, "single-request"))
            .isInstanceOf(FlowclashException.class).hasMessageContaining("musl does not support 'single-request'");
        assertThatThrownBy(() -> ResolverOptions.parse(ResolverKind.MUSL, "single-request-reopen"))
            .hasMessageContaining("musl does not support 'single-request-reopen'");
        assertThatThrownBy(() -> ResolverOptions.parse(ResolverKind.GLIBC, "rotate"))
            .hasMessageContaining("unknown option 'rotate'");
        assertThatThrownBy(() -> ResolverOptions.parse(ResolverKind.GLIBC, "timeout:0"))
            .hasMessageContaining("'timeout:0': must be at least 1");
        assertThatThrownBy(() -> ResolverOptions.parse(ResolverKind.GLIBC, "timeout:-3"))
            .hasMessageContaining("must be at least 1");
        assertThatThrownBy(() -> ResolverOptions.parse(ResolverKind.MUSL, "attempts:x"))
            .hasMessageContaining("'x' is not a whole number");
        assertThatThrownBy(() -> ResolverKind.parse("bionic"))
            .hasMessage("unknown resolver 'bionic' (known: glibc, musl)");
    }
}
