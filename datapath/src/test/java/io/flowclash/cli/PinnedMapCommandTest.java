package io.flowclash.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static io.flowclash.cli.StreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Through the real command: a damaged pinned map is rejected at once, in one line naming the file and what is
 * wrong, and left as it is (on main, random bytes made Chronicle wait a minute and fail with "crashed or hung").
 */
class PinnedMapCommandTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRejectRandomBytesInAPinnedMapInOneLine() throws Exception
    {
        final Path pins = Files.createDirectory(dir.resolve("pins"));
        final Path map = pins.resolve("cilium_ct_any4_global.cm");
        final byte[] noise = new byte[64 * 1024];
        new Random(7).nextBytes(noise);
        noise[11] |= (byte)0x80; // Chronicle's "not ready" bit: the case that made it wait a minute
        Files.write(map, noise);
        final StreamCommandTest.Result r = run("run", "--design", "cilium-tc", "-w", "dns-pairs:sockets=20",
            "--pin-dir", pins.toString());
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("flowclash: pinned map '" + map + "': ").doesNotContain("crashed or hung");
        assertThat(Files.readAllBytes(map)).isEqualTo(noise);
    }

    @Test
    void shouldRejectEachDamagedPinnedMapAndReopenAGoodOne() throws Exception
    {
        final Path pins = dir.resolve("pins");
        final StreamCommandTest.Result first = run("run", "--design", "cilium-tc", "-w", "dns-pairs:sockets=20",
            "--pin-dir", pins.toString());
        assertThat(first.status()).as(first.err()).isZero();
        final Path map = pins.resolve("cilium_ct_any4_global.cm");
        final byte[] good = Files.readAllBytes(map);
        final StreamCommandTest.Result again = run("run", "--design", "cilium-tc", "-w", "dns-pairs:sockets=20",
            "--pin-dir", pins.toString());
        assertThat(again.status()).as(again.err()).isZero();

        final byte[] headerFlip = good.clone();
        headerFlip[40] ^= 0x20;
        final byte[] sizeWord = good.clone();
        sizeWord[11] |= (byte)0x80;
        final byte[] foreign = good.clone();
        foreign[14] = 'X';
        final Object[][] cases = {
            {"empty", new byte[0], "empty file"},
            {"short", java.util.Arrays.copyOf(good, 7), "truncated"},
            {"header cut", java.util.Arrays.copyOf(good, 100), "truncated"},
            {"data cut", java.util.Arrays.copyOf(good, good.length / 2), "truncated"},
            {"not ready", sizeWord, "not ready"},
            {"header flipped", headerFlip, "header checksum mismatch"},
            {"foreign", foreign, "header checksum mismatch"},
        };
        for (final Object[] c : cases)
        {
            Files.write(map, (byte[])c[1]);
            final StreamCommandTest.Result r = run("run", "--design", "cilium-tc", "-w", "dns-pairs:sockets=20",
                "--pin-dir", pins.toString());
            assertThat(r.status()).as((String)c[0] + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().lines()).as((String)c[0]).hasSize(1);
            assertThat(r.err()).as((String)c[0]).startsWith("flowclash: pinned map '" + map + "': ")
                .contains((String)c[2]);
            assertThat(Files.readAllBytes(map)).as((String)c[0] + " left as it is").isEqualTo((byte[])c[1]);
        }
    }
}
