package io.flowclash.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.flowclash.cli.StreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kernel-lab} options that cannot work together are refused with one line naming both, exit 2, before
 * anything is created (these never reach the kernel: the run needs root and namespaces, checked in KernelLabIT).
 */
class KernelLabCommandTest
{
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--notrack --emulate drop|--notrack and --emulate",
        "--resolv-options single-request|--resolv-options and --resolver need --lookups",
        "--race-share 1|--race-share and --lb socket need --lookups",
        "--lookups 3 --resolver musl --resolv-options single-request|--resolver musl and --resolv-options",
        "--lookups 3 --race-share 1.5|--race-share must be 0..1",
        "--all|--all needs --cleanup",
        "--lookups 3 --out /dev/full|character device",
        "--lookups 3 --scenario emulate=drop,colour=red|unknown key 'colour'"})
    void shouldRefuseConflictingOrBadOptionsWithOneLine(final String args, final String message)
    {
        final String[] argv = ("kernel-lab " + args).split(" ");
        final StreamCommandTest.Result r = run(argv);
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.err().trim()).contains(message).doesNotContain("\n");
    }
}
