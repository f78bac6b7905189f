package io.flowclash.cli;

import io.flowclash.datapath.design.Designs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The project's own docs ({@code README.md}, {@code docs/*.md}) checked against the code where a fact can be
 * checked: the design table against the registry, the jcstress coverage against the jcstress sources, no citation
 * of material outside the repository, no {@code sudo} in examples, and the jcstress command's output kept out of
 * the repository root.
 */
class DocsTest
{
    /** The surefire working directory is the {@code datapath} module; the repository is its parent. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    static List<Path> docs() throws IOException
    {
        final List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("README.md"));
        try (Stream<Path> s = Files.list(ROOT.resolve("docs")))
        {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    @Test
    void shouldListEveryDesignOfTheRegistryInTheDesignTable() throws IOException
    {
        final String doc = Files.readString(ROOT.resolve("docs/design.md"));
        final int start = doc.indexOf("## Designs");
        assertThat(start).as("docs/design.md has a Designs section").isNotNegative();
        final int end = doc.indexOf("\n## ", start + 1);
        final String design = doc.substring(start, end < 0 ? doc.length() : end);
        final Set<String> rows = new TreeSet<>();
        final Matcher m = Pattern.compile("(?m)^\\| `([a-z0-9.-]+)` \\|").matcher(design);
        while (m.find())
        {
            rows.add(m.group(1));
        }
        final Set<String> ids = Designs.all().stream().map(Designs.Design::id).collect(Collectors.toCollection(TreeSet::new));
        assertThat(rows).as("docs/design.md design table").isEqualTo(ids);
        for (final Designs.Design d : Designs.all())
        {
            assertThat(design).as(d.id()).contains("| `" + d.id() + "` | " + d.models() + " | " + d.clashRule() + " |");
        }
    }

    @Test
    void shouldNameTheDesignsJcstressRacesAsTheJcstressSourcesDo() throws IOException
    {
        final Set<String> raced = new TreeSet<>();
        final Pattern id = Pattern.compile("\"((?:nf|cilium)-[a-z0-9.-]+)\"");
        try (Stream<Path> s = Files.walk(ROOT.resolve("jcstress-tests/src/main/java")))
        {
            for (final Path p : s.filter(f -> f.toString().endsWith(".java")).toList())
            {
                final Matcher m = id.matcher(Files.readString(p));
                while (m.find())
                {
                    if (Designs.all().stream().anyMatch(d -> d.id().equals(m.group(1))))
                    {
                        raced.add(m.group(1));
                    }
                }
            }
        }
        final String proofs = Files.readString(ROOT.resolve("docs/proofs.md")).replaceAll("\\s+", " ");
        final int at = proofs.indexOf("jcstress races these designs: ");
        assertThat(at).as("docs/proofs.md says which designs jcstress races").isNotNegative();
        final int others = proofs.indexOf("; the others (", at);
        final int end = proofs.indexOf(")", others + "; the others (".length());
        final Set<String> documented = backticked(proofs.substring(at, others));
        final Set<String> rest = backticked(proofs.substring(others, end));
        assertThat(documented).as("raced by jcstress, per docs/proofs.md").isEqualTo(raced);
        final Set<String> all = Designs.all().stream().map(Designs.Design::id).collect(Collectors.toCollection(TreeSet::new));
        all.removeAll(raced);
        assertThat(rest).as("explorer only, per docs/proofs.md").isEqualTo(all);
    }

    private static Set<String> backticked(final String text)
    {
        final Set<String> ids = new TreeSet<>();
        final Matcher m = Pattern.compile("`((?:nf|cilium)-[a-z0-9.-]+)`").matcher(text);
        while (m.find())
        {
            ids.add(m.group(1));
        }
        return ids;
    }

    @Test
    void shouldCiteNothingOutsideTheRepositoryAndUseNoSudo() throws IOException
    {
        for (final Path doc : docs())
        {
            final String text = Files.readString(doc);
            assertThat(text).as(doc + " cites material outside the repository")
                .doesNotContain("shared/").doesNotContain("docs/reference/").doesNotContain("`reference/");
            for (final String line : ReadmeCommandsTest.codeLines(text))
            {
                assertThat(line).as(doc + ": a root shell on a minimal machine has no sudo").doesNotStartWith("sudo ");
            }
        }
    }

    @Test
    void shouldRunTheReadmeJcstressCommandOutsideTheRepositoryRootWithADuration() throws IOException
    {
        final String readme = Files.readString(ROOT.resolve("README.md"));
        final List<String> jcstress = ReadmeCommandsTest.codeLines(readme).stream()
            .filter(l -> l.contains("jcstress.jar")).toList();
        assertThat(jcstress).isNotEmpty();
        for (final String line : jcstress)
        {
            assertThat(line).as("jcstress writes jcstress-results-*.bin.gz into its working directory")
                .startsWith("(cd jcstress-tests/target && ");
            assertThat(line).contains("-time ").contains(" -r ");
        }
        assertThat(readme).contains("jcstress-results-*.bin.gz").containsPattern("about [0-9.]+ minutes");
    }
}
