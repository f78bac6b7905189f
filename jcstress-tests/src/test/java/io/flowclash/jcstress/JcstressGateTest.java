package io.flowclash.jcstress;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JcstressGateTest
{
    private static final List<String> CONSOLE = List.of(
        ".......... [OK] x.Tests.Early",
        "  RESULT  SAMPLES     FREQ      EXPECT  DESCRIPTION",
        "   0, -1        9   25.00%  Acceptable  per-configuration table: must be ignored",
        "RUN RESULTS:",
        "  Interesting tests: 1 matching test results.",
        ".......... [OK] x.Tests.Race",
        "  Results across all configurations:",
        "                   RESULT    SAMPLES     FREQ       EXPECT  DESCRIPTION",
        "   insert_failed, new, ok    964,724    8.91%  Interesting  Clash not resolved: dropped.",
        "    clash_merged, new, ok        955    8.82%   Acceptable  Clash resolved.",
        "              new, new, ok          0    0.00%    Forbidden  Two winners.",
        ".......... [FAILED] x.Tests.Broken",
        "  Results across all configurations:",
        "    1, 0      1,203    1.00%   Forbidden  torn");

    @Test
    void shouldParseTotalsWithThousandsSeparatorsFromRunResultsOnly()
    {
        final Map<String, JcstressGate.TestResult> results = JcstressGate.parseRunResults(CONSOLE);
        assertThat(results).containsOnlyKeys("x.Tests.Race", "x.Tests.Broken");
        final JcstressGate.TestResult race = results.get("x.Tests.Race");
        assertThat(race.status).isEqualTo("OK");
        assertThat(race.samples).containsEntry("insert_failed, new, ok", 964_724L)
            .containsEntry("clash_merged, new, ok", 955L).containsEntry("new, new, ok", 0L);
        assertThat(race.expect).containsEntry("insert_failed, new, ok", "Interesting");
        assertThat(race.total()).isEqualTo(965_679L);
        assertThat(results.get("x.Tests.Broken").status).isEqualTo("FAILED");
        assertThat(results.get("x.Tests.Broken").samples).containsEntry("1, 0", 1_203L);
    }
}
