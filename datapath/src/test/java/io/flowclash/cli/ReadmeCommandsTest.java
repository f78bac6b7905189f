package io.flowclash.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.flowclash.cli.StreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code ./flowclash} command in README's {@code ```bash} blocks runs through the real command and exits 0,
 * with small sizes. The rules, stated and counted (nothing is skipped silently):
 * <ul>
 *   <li>sizes: {@code sockets=N} becomes at most 1000, and a bare {@code dns-lookups} workload gets
 *   {@code clients=50,lookups=2}, so the whole README runs in seconds;</li>
 *   <li>relative output and input paths ({@code --out}, {@code -o}, {@code --stream}, {@code --hlog},
 *   {@code --pin-dir}, and {@code *.fcs} operands) live in a temporary folder, so one command's output feeds the
 *   next as in the README;</li>
 *   <li>{@code kernel-lab} commands are not run here: they need root, network namespaces and nft, and
 *   {@code KernelLabIT} runs the lab under {@code -Pkernel-lab};</li>
 *   <li>{@code compare} commands are not run here: the command has no size option (its quick matrix is 21
 *   scenarios, about two minutes) and {@code CompareCommandTest} runs it;</li>
 *   <li>lines that are not {@code ./flowclash} commands ({@code ./mvnw}, {@code java -jar}) are not run.</li>
 * </ul>
 */
class ReadmeCommandsTest
{
    @TempDir
    Path dir;

    private static final Set<String> PATH_OPTIONS = Set.of("--out", "-o", "--stream", "--hlog", "--pin-dir");

    /**
     * @param markdown a document.
     * @return the lines of its {@code ```bash} blocks, continuation lines joined, comments kept.
     */
    static List<String> codeLines(final String markdown)
    {
        final List<String> lines = new ArrayList<>();
        boolean in = false;
        final StringBuilder pending = new StringBuilder();
        for (final String line : markdown.split("\\R"))
        {
            if (line.startsWith("```"))
            {
                in = !in && line.startsWith("```bash");
                continue;
            }
            if (!in)
            {
                continue;
            }
            if (line.endsWith("\\"))
            {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            final String joined = pending.toString().replaceAll("\\s+", " ").trim();
            pending.setLength(0);
            if (!joined.isEmpty())
            {
                lines.add(joined);
            }
        }
        return lines;
    }

    static List<String> words(final String line)
    {
        final List<String> words = new ArrayList<>();
        final Matcher m = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)").matcher(line);
        while (m.find())
        {
            final String w = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            if (m.group(3) != null && w.startsWith("#"))
            {
                break;
            }
            words.add(w);
        }
        return words;
    }

    private String[] small(final List<String> words)
    {
        final List<String> args = new ArrayList<>();
        for (int i = 1; i < words.size(); i++)
        {
            String w = words.get(i);
            final Matcher sockets = Pattern.compile("sockets=(\\d+)").matcher(w);
            if (sockets.find() && Long.parseLong(sockets.group(1)) > 1000)
            {
                w = sockets.replaceFirst("sockets=1000");
            }
            if (w.equals("dns-lookups"))
            {
                w = "dns-lookups:clients=50,lookups=2";
            }
            final boolean pathValue = i > 1 && PATH_OPTIONS.contains(words.get(i - 1));
            if ((pathValue || (!w.startsWith("-") && w.endsWith(".fcs"))) && !Path.of(w).isAbsolute())
            {
                w = dir.resolve(w).toString();
            }
            args.add(w);
        }
        return args.toArray(new String[0]);
    }

    @Test
    void shouldRunEveryFlowclashCommandOfTheReadme() throws IOException
    {
        final List<String> lines = codeLines(Files.readString(DocsTest.ROOT.resolve("README.md")));
        int ran = 0;
        int kernelLab = 0;
        int compare = 0;
        int other = 0;
        for (final String line : lines)
        {
            final List<String> words = words(line);
            if (words.isEmpty() || !words.get(0).equals("./flowclash"))
            {
                other++;
                continue;
            }
            if (words.size() > 1 && words.get(1).equals("kernel-lab"))
            {
                kernelLab++;
                continue;
            }
            if (words.size() > 1 && words.get(1).equals("compare"))
            {
                compare++;
                continue;
            }
            final String[] args = small(words);
            final StreamCommandTest.Result r = run(args);
            assertThat(r.status()).as("README: %s%nran as: %s%nstderr: %s", line, String.join(" ", args), r.err())
                .isZero();
            assertThat(r.out()).as(line).isNotEmpty();
            ran++;
        }
        final long flowclashLines = lines.stream().filter(l -> l.startsWith("./flowclash ")).count();
        assertThat(ran + kernelLab + compare).as("every ./flowclash line is run or counted under a rule")
            .isEqualTo((int)flowclashLines);
        assertThat(ran + kernelLab + compare + other).isEqualTo(lines.size());
        assertThat(ran).as("README commands run (kernel-lab: %d and compare: %d by rule; %d other lines)",
            kernelLab, compare, other).isGreaterThanOrEqualTo(10);
    }
}
