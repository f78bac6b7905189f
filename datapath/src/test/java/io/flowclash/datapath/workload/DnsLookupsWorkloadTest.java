package io.flowclash.datapath.workload;

import io.flowclash.datapath.FlowclashException;
import io.flowclash.datapath.resolver.Resolver;
import io.flowclash.datapath.resolver.ResolverKind;
import io.flowclash.datapath.stream.PacketStream;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DnsLookupsWorkloadTest
{
    @Test
    void canonicalSpecNamesEveryParameterAndParsesBackToItself()
    {
        final Workload w = Workloads.parse("dns-lookups:resolver=musl,clients=5,options=timeout:2+attempts:3");
        assertThat(w.spec()).isEqualTo("dns-lookups:clients=5,lookups=10,think=1s,stagger=1ms,resolver=musl," +
            "options=timeout:2+attempts:3,vip=10.96.0.10,port=53,faulty=none,answers=both,delay=0ns,seed=1");
        assertThat(Workloads.parse(w.spec()).spec()).isEqualTo(w.spec());
        final DnsLookupsWorkload d = (DnsLookupsWorkload)w;
        assertThat(d.totalLookups()).isEqualTo(50);
        assertThat(d.resolverOptions(null, null).kind()).isEqualTo(ResolverKind.MUSL);
        assertThat(d.resolverOptions(null, null).timeoutSeconds()).isEqualTo(2);
        assertThat(d.resolverOptions(null, null).attempts()).isEqualTo(3);
        assertThat(d.resolverOptions(ResolverKind.GLIBC, "single-request").singleRequest()).isTrue();
    }

    @Test
    void faultsAreParsed()
    {
        final DnsLookupsWorkload d = (DnsLookupsWorkload)Workloads.parse("dns-lookups:faulty=1,answers=a,delay=3s");
        assertThat(d.faultyBackend()).isEqualTo(1);
        assertThat(d.faultyAnswers()).isEqualTo(Resolver.A);
        assertThat(d.faultyDelayNs()).isEqualTo(3_000_000_000L);
        assertThat(((DnsLookupsWorkload)Workloads.parse("dns-lookups:faulty=all,answers=none")).faultyBackend())
            .isEqualTo(DnsLookupsWorkload.FAULTY_ALL);
    }

    @Test
    void badParametersNameTheFault()
    {
        assertThatThrownBy(() -> Workloads.parse("dns-lookups:resolver=bionic"))
            .isInstanceOf(FlowclashException.class).hasMessageContaining("unknown resolver 'bionic'");
        assertThatThrownBy(() -> Workloads.parse("dns-lookups:resolver=musl,options=single-request"))
            .hasMessageContaining("musl does not support 'single-request'");
        assertThatThrownBy(() -> Workloads.parse("dns-lookups:options=timeout:0"))
            .hasMessageContaining("must be at least 1");
        assertThatThrownBy(() -> Workloads.parse("dns-lookups:faulty=-1"))
            .hasMessageContaining("not a backend index");
        assertThatThrownBy(() -> Workloads.parse("dns-lookups:answers=mx"))
            .hasMessageContaining("answers='mx' is not both, a, aaaa or none");
        assertThatThrownBy(() -> Workloads.parse("dns-lookups:lookups=0")).hasMessageContaining("outside");
        assertThatThrownBy(() -> Workloads.parse("dns-lookups:clientz=3")).hasMessageContaining("unknown parameter");
    }

    @Test
    void hasNoStreamToGenerate()
    {
        final Workload w = Workloads.parse("dns-lookups");
        assertThat(w.recordCount()).isZero();
        final PacketStream s = PacketStream.allocateDirect(1);
        assertThatThrownBy(() -> w.generate(s)).isInstanceOf(FlowclashException.class)
            .hasMessageContaining("has no packet stream");
    }
}
