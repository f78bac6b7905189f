package io.flowclash.datapath.bpf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ChronicleBpfHashMapTest extends BpfHashMapContractTest
{
    @TempDir
    Path dir;
    private int files;

    @Override
    BpfHashMap create(final int maxEntries, final boolean lru)
    {
        return ChronicleBpfHashMap.pin(dir.resolve("map-" + files++ + ".cm"), maxEntries, lru);
    }

    @Test
    void shouldKeepEveryEntryForAFreshJvm() throws Exception
    {
        final Path file = dir.resolve("pinned.cm");
        try (ChronicleBpfHashMap map = ChronicleBpfHashMap.pin(file, 1000, true))
        {
            for (int i = 0; i < 500; i++)
            {
                assertThat(map.update(i, i * 7L, i * 1_000_003L, BpfHashMap.BPF_ANY)).isEqualTo(BpfHashMap.OK);
            }
        }
        // a real second process: a new JVM opens the pinned file and lists every entry
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(io.flowclash.datapath.BuildInfo.JVM_ARGS.split(" ")));
        cmd.addAll(Arrays.asList("-cp", System.getProperty("java.class.path"),
            PinnedMapDump.class.getName(), file.toString(), "1000"));
        final Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                lines.add(line);
            }
        }
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(lines).as("child pid %d", child.pid()).contains("size=500");
        for (int i = 0; i < 500; i++)
        {
            assertThat(lines).contains(i + "," + (i * 7L) + "=" + (i * 1_000_003L));
        }
        assertThat(child.pid()).isNotEqualTo(ProcessHandle.current().pid());
    }
}
