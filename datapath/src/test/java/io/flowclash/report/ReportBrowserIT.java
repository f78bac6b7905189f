package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowclash.cli.FlowclashCommand;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report in a real browser: {@code flowclash compare} (quick matrix, with the checked-in JMH results and a
 * kernel-lab file, so that every kind of chart is drawn), then {@code index.html} opened in headless Chromium
 * (Debian's {@code chromium}; {@code .ci/run} installs it) over the DevTools protocol: no script in the page, nothing
 * fetched from anywhere, every chart laid out, and each chart's screenshot not blank. The screenshots stay in
 * {@code target/report-browser/} ({@code index.png} is the whole page) to be looked at.
 *
 * <p>Runs in the integration-test phase: {@code ./mvnw -pl datapath verify -Pkernel-lab -Dit.test=ReportBrowserIT
 * -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ReportBrowserIT
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void everyChartRendersInHeadlessChromium() throws Exception
    {
        final Path target = Path.of(System.getProperty("java.io.tmpdir")).resolve("report-browser");
        if (Files.exists(target))
        {
            try (java.util.stream.Stream<Path> walk = Files.walk(target))
            {
                for (final Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList())
                {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(target);
        final Path lab = target.resolve("lab.json");
        Files.writeString(lab, ReportFixtures.LAB_JSON);
        final Path table = target.resolve("lab-table.json");
        Files.writeString(table, ReportFixtures.LAB_TABLE_JSON);
        final Path report = target.resolve("report");
        final StringWriter err = new StringWriter();
        final int rc = FlowclashCommand.execute(new String[]{"compare", "--out", report.toString(), "--jmh",
            ReportFixtures.jmhFile().toString(), "--kernel-lab", lab.toString(), "--kernel-lab", table.toString()},
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
        assertThat(rc).as(err.toString()).isZero();
        final JsonNode results = MAPPER.readTree(report.resolve("results.json").toFile());
        final int charts = results.get("charts").size();
        assertThat(charts).isGreaterThanOrEqualTo(6);
        // the check itself can fail: a white picture, or one of a single colour, is blank
        final BufferedImage white = new BufferedImage(400, 200, BufferedImage.TYPE_INT_RGB);
        final java.awt.Graphics paint = white.getGraphics();
        paint.setColor(java.awt.Color.WHITE);
        paint.fillRect(0, 0, 400, 200);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertNotBlank(white, "white"))
            .isInstanceOf(AssertionError.class);
        final BufferedImage black = new BufferedImage(400, 200, BufferedImage.TYPE_INT_RGB);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertNotBlank(black, "black"))
            .isInstanceOf(AssertionError.class);

        final Process chromium = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu",
            "--hide-scrollbars", "--no-first-run", "--remote-debugging-port=0",
            "--user-data-dir=" + target.resolve("profile"), "about:blank")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (Cdp cdp = Cdp.connect(chromium))
        {
            cdp.call("Emulation.setDeviceMetricsOverride",
                Map.of("width", 1200, "height", 900, "deviceScaleFactor", 1, "mobile", false));
            cdp.call("Page.enable", Map.of());
            cdp.call("Page.navigate", Map.of("url", report.resolve("index.html").toUri().toString()));
            cdp.awaitEvent("Page.loadEventFired");

            assertThat(cdp.eval("document.querySelectorAll('script').length").asInt()).isZero();
            assertThat(cdp.eval("performance.getEntriesByType('resource').length").asInt())
                .as("resources fetched by the page").isZero();
            final JsonNode rects = MAPPER.readTree(cdp.eval("JSON.stringify([...document.querySelectorAll(" +
                "'figure.chart svg')].map(e => { const r = e.getBoundingClientRect(); " +
                "return [r.left + scrollX, r.top + scrollY, r.width, r.height]; }))").asText());
            assertThat(rects.size()).as("charts in the page").isEqualTo(charts);
            for (int i = 0; i < rects.size(); i++)
            {
                final JsonNode r = rects.get(i);
                assertThat(r.get(2).asDouble()).as("chart %d width", i).isGreaterThan(300);
                assertThat(r.get(3).asDouble()).as("chart %d height", i).isGreaterThan(150);
                final BufferedImage shot = cdp.screenshot(r.get(0).asDouble(), r.get(1).asDouble(),
                    r.get(2).asDouble(), r.get(3).asDouble(), target.resolve("chart-" + i + ".png"));
                assertNotBlank(shot, "chart " + i + " (" + results.get("charts").get(i).get("id").asText() + ")");
            }
            final double height = cdp.eval("document.documentElement.scrollHeight").asDouble();
            final BufferedImage page = cdp.screenshot(0, 0, 1200, Math.min(height, 16_000),
                target.resolve("index.png"));
            assertNotBlank(page, "the page");
        }
        finally
        {
            chromium.destroy();
            if (!chromium.waitFor(10, TimeUnit.SECONDS))
            {
                chromium.destroyForcibly();
            }
        }
    }

    /** Not blank: a share of the pixels not white, in several colours (bars, axes, text). */
    private static void assertNotBlank(final BufferedImage img, final String what)
    {
        long ink = 0;
        final Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y++)
        {
            for (int x = 0; x < img.getWidth(); x++)
            {
                final int rgb = img.getRGB(x, y) & 0xFFFFFF;
                if (rgb != 0xFFFFFF)
                {
                    ink++;
                    if (colours.size() < 64)
                    {
                        colours.add(rgb);
                    }
                }
            }
        }
        final double share = (double)ink / ((long)img.getWidth() * img.getHeight());
        assertThat(share).as("%s: share of non-white pixels", what).isGreaterThan(0.02);
        assertThat(colours.size()).as("%s: colours", what).isGreaterThanOrEqualTo(4);
    }

    /** A minimal Chrome DevTools protocol client over the JDK's WebSocket (no dependency). */
    static final class Cdp implements AutoCloseable
    {
        private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://[^\\s]+)");

        private final WebSocket socket;
        private final AtomicInteger ids = new AtomicInteger();
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();

        private Cdp(final WebSocket socket)
        {
            this.socket = socket;
        }

        static Cdp connect(final Process chromium) throws Exception
        {
            final BufferedReader err = new BufferedReader(new InputStreamReader(chromium.getErrorStream(),
                StandardCharsets.UTF_8));
            String browserUrl = null;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (browserUrl == null && System.nanoTime() < deadline)
            {
                final String line = err.readLine();
                if (line == null)
                {
                    throw new IllegalStateException("chromium exited before listening");
                }
                final Matcher m = LISTENING.matcher(line);
                if (m.find())
                {
                    browserUrl = m.group(1);
                }
            }
            if (browserUrl == null)
            {
                throw new IllegalStateException("chromium did not print its DevTools address in 60 s");
            }
            final Thread drain = new Thread(() -> err.lines().forEach(l -> { }), "chromium-stderr");
            drain.setDaemon(true);
            drain.start();
            final URI browser = URI.create(browserUrl);
            final HttpClient http = HttpClient.newHttpClient();
            final String list = http.send(HttpRequest.newBuilder(URI.create("http://" + browser.getHost() + ":" +
                browser.getPort() + "/json/list")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
            String pageUrl = null;
            for (final JsonNode t : MAPPER.readTree(list))
            {
                if (t.path("type").asText().equals("page"))
                {
                    pageUrl = t.get("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (pageUrl == null)
            {
                throw new IllegalStateException("no page target in " + list);
            }
            final Cdp[] self = new Cdp[1];
            final StringBuilder partial = new StringBuilder();
            final WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), new WebSocket.Listener()
            {
                @Override
                public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data,
                    final boolean last)
                {
                    partial.append(data);
                    if (last)
                    {
                        final String message = partial.toString();
                        partial.setLength(0);
                        self[0].receive(message);
                    }
                    webSocket.request(1);
                    return null;
                }
            }).get(30, TimeUnit.SECONDS);
            self[0] = new Cdp(ws);
            return self[0];
        }

        private void receive(final String message)
        {
            try
            {
                final JsonNode n = MAPPER.readTree(message);
                if (n.has("id"))
                {
                    final CompletableFuture<JsonNode> f = pending.remove(n.get("id").asInt());
                    if (f != null)
                    {
                        if (n.has("error"))
                        {
                            f.completeExceptionally(new IllegalStateException(n.get("error").toString()));
                        }
                        else
                        {
                            f.complete(n.get("result"));
                        }
                    }
                }
                else
                {
                    events.add(n);
                }
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }

        JsonNode call(final String method, final Map<String, ?> params) throws Exception
        {
            final int id = ids.incrementAndGet();
            final CompletableFuture<JsonNode> f = new CompletableFuture<>();
            pending.put(id, f);
            final ObjectNode msg = MAPPER.createObjectNode();
            msg.put("id", id);
            msg.put("method", method);
            msg.set("params", MAPPER.valueToTree(params));
            socket.sendText(MAPPER.writeValueAsString(msg), true).get(30, TimeUnit.SECONDS);
            return f.get(60, TimeUnit.SECONDS);
        }

        void awaitEvent(final String method) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline)
            {
                final JsonNode e = events.poll(1, TimeUnit.SECONDS);
                if (e != null && e.path("method").asText().equals(method))
                {
                    return;
                }
            }
            throw new IllegalStateException("no " + method + " in 60 s");
        }

        JsonNode eval(final String expression) throws Exception
        {
            final JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
            if (r.has("exceptionDetails"))
            {
                throw new IllegalStateException(expression + ": " + r.get("exceptionDetails"));
            }
            return r.get("result").get("value");
        }

        BufferedImage screenshot(final double x, final double y, final double w, final double h, final Path file)
            throws Exception
        {
            final JsonNode r = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", x, "y", y, "width", w, "height", h, "scale", 1)));
            final byte[] png = Base64.getDecoder().decode(r.get("data").asText());
            Files.write(file, png);
            return ImageIO.read(new ByteArrayInputStream(png));
        }

        @Override
        public void close()
        {
            socket.abort();
        }
    }
}
