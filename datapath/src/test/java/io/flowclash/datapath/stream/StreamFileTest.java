package io.flowclash.datapath.stream;

import io.flowclash.datapath.FlowclashException;
import io.flowclash.datapath.workload.Workload;
import io.flowclash.datapath.workload.Workloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamFileTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRoundTripRecordsHeaderAndSpec()
    {
        final Workload workload = Workloads.parse("dns-pairs:sockets=20000,seed=3"); // 40000 records: 3 blocks
        final PacketStream stream = Workloads.generate(workload);
        final Path file = dir.resolve("s.fcs");
        final long checksum = StreamFile.save(file, stream, workload.spec(), workload.seed());
        try (StreamFile loaded = StreamFile.open(file))
        {
            assertThat(loaded.spec()).isEqualTo(workload.spec());
            assertThat(loaded.seed()).isEqualTo(3);
            assertThat(loaded.version()).isEqualTo(StreamFileDescriptor.VERSION);
            assertThat(loaded.recordsChecksum()).isEqualTo(checksum);
            assertThat(loaded.blockCount()).isEqualTo(3);
            assertThat(loaded.headerLength() % 64).isZero();
            final int count = loaded.stream().count();
            assertThat(count).isEqualTo(40000);
            final byte[] expected = new byte[count * PacketRecordDescriptor.RECORD_LENGTH];
            final byte[] actual = new byte[expected.length];
            stream.buffer().getBytes(0, expected);
            loaded.stream().buffer().getBytes(0, actual);
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void shouldRoundTripAnEmptyStream()
    {
        final Path file = dir.resolve("empty.fcs");
        StreamFile.save(file, PacketStream.allocateDirect(0), "dns-pairs", 1);
        try (StreamFile loaded = StreamFile.open(file))
        {
            assertThat(loaded.stream().count()).isZero();
        }
    }

    @Test
    void shouldLeaveNoTemporaryFileAndReplaceAtomically() throws IOException
    {
        final Path file = dir.resolve("s.fcs");
        final Workload workload = Workloads.parse("dns-pairs:sockets=10");
        StreamFile.save(file, Workloads.generate(workload), workload.spec(), 1);
        StreamFile.save(file, Workloads.generate(workload), workload.spec(), 1);
        try (var listing = Files.list(dir))
        {
            assertThat(listing).containsExactly(file);
        }
    }

    @Test
    void shouldNotCreateTheTargetWhenTheDirectoryCannotBeWritten() throws IOException
    {
        final Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        assertThatThrownBy(() -> StreamFile.save(blocker.resolve("s.fcs"), PacketStream.allocateDirect(0), "x", 1))
            .isInstanceOf(FlowclashException.class).hasMessageContaining("cannot write stream file");
    }

    @Test
    void shouldReportEachKindOfDamageAtItsOffset() throws IOException
    {
        final Path good = dir.resolve("good.fcs");
        final Workload workload = Workloads.parse("dns-pairs:sockets=100");
        StreamFile.save(good, Workloads.generate(workload), workload.spec(), 1);
        final byte[] bytes = Files.readAllBytes(good);
        final int headerLength;
        try (StreamFile f = StreamFile.open(good))
        {
            headerLength = f.headerLength();
        }

        final Path truncated = write("truncated.fcs", java.util.Arrays.copyOf(bytes, bytes.length - 10));
        assertThatThrownBy(() -> StreamFile.open(truncated)).isInstanceOf(StreamFormatException.class)
            .hasMessageContaining("truncated").hasMessageContaining("offset " + (bytes.length - 10));

        final byte[] flippedRecord = bytes.clone();
        flippedRecord[headerLength + 1000] ^= 0x10;
        final Path flipped = write("flipped.fcs", flippedRecord);
        assertThatThrownBy(() -> StreamFile.open(flipped))
            .hasMessageContaining("offset " + headerLength).hasMessageContaining("records checksum mismatch in block 0");

        final byte[] flippedHeader = bytes.clone();
        flippedHeader[StreamFileDescriptor.SEED_OFFSET] ^= 1;
        final Path header = write("header.fcs", flippedHeader);
        assertThatThrownBy(() -> StreamFile.open(header)).hasMessageContaining("header checksum mismatch");

        final byte[] foreign = bytes.clone();
        foreign[0] = 'P';
        final Path magic = write("foreign.fcs", foreign);
        assertThatThrownBy(() -> StreamFile.open(magic)).hasMessageContaining("offset 0")
            .hasMessageContaining("not a flowclash stream file");

        final byte[] newer = bytes.clone();
        newer[StreamFileDescriptor.VERSION_OFFSET] = 9;
        final Path version = write("newer.fcs", newer);
        assertThatThrownBy(() -> StreamFile.open(version)).hasMessageContaining("offset 8")
            .hasMessageContaining("format version 9 is newer");

        final Path empty = write("empty.fcs", new byte[0]);
        assertThatThrownBy(() -> StreamFile.open(empty)).hasMessageContaining("empty file");

        final Path missing = dir.resolve("missing.fcs");
        assertThatThrownBy(() -> StreamFile.open(missing)).isInstanceOf(FlowclashException.class)
            .hasMessageContaining("no such file");
    }

    private Path write(final String name, final byte[] bytes) throws IOException
    {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void shouldNameTheSameHeaderSizeInEveryTruncationMessage() throws IOException
    {
        final Workload workload = Workloads.parse("dns-pairs:sockets=100");
        final Path good = dir.resolve("good.fcs");
        StreamFile.save(good, Workloads.generate(workload), workload.spec(), workload.seed());
        final byte[] bytes = Files.readAllBytes(good);
        final int headerLength;
        try (StreamFile f = StreamFile.open(good))
        {
            headerLength = f.headerLength();
        }
        assertThat(headerLength).isGreaterThan(StreamFileDescriptor.FIXED_HEADER_LENGTH);
        final String whole = "the " + headerLength + "-byte header";
        final Object[][] cases = {
            {20, "the " + StreamFileDescriptor.FIXED_HEADER_LENGTH + "-byte fixed header"},
            {StreamFileDescriptor.FIXED_HEADER_LENGTH + 8, whole},
            {headerLength + 100, whole},
        };
        for (final Object[] c : cases)
        {
            final int length = (Integer)c[0];
            final byte[] cut = java.util.Arrays.copyOf(bytes, length);
            final Path file = write("cut-" + length + ".fcs", cut);
            assertThatThrownBy(() -> StreamFile.open(file)).as("cut at %d", length)
                .isInstanceOf(StreamFormatException.class)
                .hasMessageContaining("file ends after " + length + " bytes")
                .hasMessageContaining("truncated");
            assertThatThrownBy(() -> StreamFile.open(file)).hasMessageContaining((String)c[1]);
        }
    }
}
