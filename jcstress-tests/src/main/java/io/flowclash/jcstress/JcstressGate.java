package io.flowclash.jcstress;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

/**
 * Runs jcstress in a child JVM and decides whether the build passes. jcstress itself exits 1 on FORBIDDEN outcomes
 * and errors, but exits 0 when the selector matches no test and has no notion of an outcome that must be seen.
 * The gate fails (exit 1) when:
 * <ol>
 *     <li>jcstress exits non-zero, or any test is {@code [FAILED]} or {@code [ERROR]};</li>
 *     <li>no test ran ("FATAL: No matching tests", or no result parsed);</li>
 *     <li>a test carries {@link MustObserve} for an outcome with zero samples across all configurations.</li>
 * </ol>
 * The full console log and the HTML report stay in the results directory; the gate prints their paths.
 */
public final class JcstressGate
{
    private static final Pattern TEST_LINE =
        Pattern.compile("^\\.+ \\[(OK|FAILED|ERROR|[A-Z ]+)\\] (\\S+)\\s*$");
    private static final Pattern ROW = Pattern.compile(
        "^\\s+(.+?)\\s+(\\d[\\d,]*)\\s+(\\d+(?:\\.\\d+)?)%\\s+(Acceptable|Forbidden|Interesting|Unknown)\\s+(.*)$");

    private JcstressGate()
    {
    }

    /** One test's totals across all configurations. */
    static final class TestResult
    {
        final String name;
        final String status;
        final Map<String, Long> samples = new LinkedHashMap<>();
        final Map<String, String> expect = new LinkedHashMap<>();

        TestResult(final String name, final String status)
        {
            this.name = name;
            this.status = status;
        }

        long total()
        {
            return samples.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * @param args {@code --jar J --jvm-args A --mode M --tests REGEX --results DIR [--extra "..."]}.
     * @throws Exception on an I/O failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            opts.put(args[i], args[i + 1]);
        }
        final String jar = require(opts, "--jar");
        final String jvmArgs = opts.getOrDefault("--jvm-args", "");
        final Path results = Paths.get(require(opts, "--results"));
        Files.createDirectories(results);
        final Path log = results.resolve("console.log");

        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(split(jvmArgs));
        cmd.addAll(Arrays.asList("-jar", jar, "-v", "-m", opts.getOrDefault("--mode", "sanity"),
            "-t", opts.getOrDefault("--tests", ".*"), "-r", results.toString()));
        if (!jvmArgs.isBlank())
        {
            cmd.add("-jvmArgsPrepend");
            cmd.add(jvmArgs);
        }
        cmd.addAll(split(opts.getOrDefault("--extra", "")));

        final PrintStream out = System.out;
        out.println("[jcstress-gate] " + String.join(" ", cmd));
        out.println("[jcstress-gate] console log: " + log);
        final Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                lines.add(line);
                final Matcher m = TEST_LINE.matcher(line);
                if (m.matches() || line.startsWith("FATAL") || line.contains("Exception"))
                {
                    out.println("[jcstress] " + line.trim());
                }
            }
        }
        final int exit = process.waitFor();
        Files.write(log, lines, StandardCharsets.UTF_8);

        final Map<String, TestResult> parsed = parseRunResults(lines);
        final List<String> failures = new ArrayList<>();
        if (exit != 0)
        {
            failures.add("jcstress exited with " + exit);
        }
        if (lines.stream().anyMatch(l -> l.contains("No matching tests")) || parsed.isEmpty())
        {
            failures.add("no jcstress test ran (selector '" + opts.get("--tests") + "')");
        }
        for (final TestResult r : parsed.values())
        {
            if (!r.status.equals("OK"))
            {
                failures.add(r.name + ": " + r.status);
            }
        }
        final Map<String, String> classes = testClasses(jar);
        for (final TestResult r : parsed.values())
        {
            final String binary = classes.get(r.name);
            if (binary == null)
            {
                continue;
            }
            final MustObserve[] required = Class.forName(binary, false, JcstressGate.class.getClassLoader())
                .getAnnotationsByType(MustObserve.class);
            for (final MustObserve must : required)
            {
                long seen = 0;
                for (final String id : must.value().split("\\|"))
                {
                    seen += r.samples.getOrDefault(id.trim(), 0L);
                }
                out.printf("[jcstress-gate] %s: must observe \"%s\" (%s): %d of %d samples%n",
                    r.name, must.value(), must.why(), seen, r.total());
                if (seen == 0)
                {
                    failures.add(r.name + ": required outcome \"" + must.value() + "\" never observed in " +
                        r.total() + " samples (" + must.why() + ")");
                }
            }
        }

        out.println("[jcstress-gate] summary (samples per outcome, across all configurations):");
        for (final TestResult r : parsed.values())
        {
            final StringBuilder sb = new StringBuilder("  ").append(r.status).append(' ').append(r.name).append(':');
            r.samples.forEach((id, n) -> sb.append(" [").append(id).append("]=").append(n)
                .append(r.expect.get(id).equals("Interesting") ? "*" : ""));
            out.println(sb);
        }
        out.println("[jcstress-gate] HTML report: " + results.resolve("index.html"));
        if (!failures.isEmpty())
        {
            for (final String f : failures)
            {
                out.println("[jcstress-gate] FAIL " + f);
            }
            System.exit(1);
        }
        out.println("[jcstress-gate] " + parsed.size() + " tests passed, 0 failed");
    }

    static Map<String, TestResult> parseRunResults(final List<String> lines)
    {
        final Map<String, TestResult> results = new LinkedHashMap<>();
        boolean inRunResults = false;
        TestResult current = null;
        boolean acrossAll = false;
        for (final String line : lines)
        {
            if (line.startsWith("RUN RESULTS:"))
            {
                inRunResults = true;
                continue;
            }
            if (!inRunResults)
            {
                continue;
            }
            final Matcher test = TEST_LINE.matcher(line);
            if (test.matches())
            {
                current = results.computeIfAbsent(test.group(2), n -> new TestResult(n, test.group(1).trim()));
                acrossAll = false;
                continue;
            }
            if (line.contains("Results across all configurations"))
            {
                acrossAll = true;
                continue;
            }
            if (current != null && acrossAll)
            {
                final Matcher row = ROW.matcher(line);
                if (row.matches() && !row.group(1).equals("RESULT"))
                {
                    current.samples.merge(row.group(1).trim(), Long.parseLong(row.group(2).replace(",", "")), Long::sum);
                    current.expect.put(row.group(1).trim(), row.group(4));
                }
            }
        }
        return results;
    }

    /** Test name to binary class name, from jcstress's META-INF/TestList (length-prefixed fields). */
    static Map<String, String> testClasses(final String jar) throws IOException
    {
        final Map<String, String> map = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(jar))
        {
            final InputStream in = zip.getInputStream(zip.getEntry("META-INF/TestList"));
            final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (final String line : text.split("\n"))
            {
                if (!line.startsWith("JCTEST"))
                {
                    continue;
                }
                final int[] at = {6};
                final String name = field(line, at);
                final String binary = field(line, at);
                map.put(name, binary);
            }
        }
        return map;
    }

    private static String field(final String line, final int[] at)
    {
        int i = at[0];
        int len = 0;
        while (Character.isDigit(line.charAt(i)))
        {
            len = len * 10 + (line.charAt(i++) - '0');
        }
        i++; // 'S'
        final String value = line.substring(i, i + len);
        at[0] = i + len;
        return value;
    }

    private static List<String> split(final String s)
    {
        final List<String> out = new ArrayList<>();
        for (final String part : s.trim().split("\\s+"))
        {
            if (!part.isEmpty())
            {
                out.add(part);
            }
        }
        return out;
    }

    private static String require(final Map<String, String> opts, final String key)
    {
        final String v = opts.get(key);
        if (v == null)
        {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }
}
