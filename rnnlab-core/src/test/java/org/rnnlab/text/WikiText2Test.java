package org.rnnlab.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.testing.Resources;

/**
 * WikiText-2: the rows and text against Python's own output ({@code tools/make_wikitext_fixtures.py}), and the
 * download path against an HTTP server on 127.0.0.1 serving a small archive made here.
 */
class WikiText2Test {
    @TempDir
    Path dir;

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>(); // "GET /path User-Agent"

    @AfterEach
    void stopServer() {
        if (server != null) server.stop(0);
    }

    private static byte[] fixture(String name) throws IOException {
        return Files.readAllBytes(Resources.path(WikiText2Test.class, name));
    }

    private static String fixtureText(String name) throws IOException {
        return new String(fixture(name), StandardCharsets.UTF_8);
    }

    /** A zip shaped like the published archive, with the sample as its train file. */
    private static byte[] archive(String entryName, byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("wikitext-2-raw/"));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("wikitext-2-raw/wiki.test.raw"));
            zip.write(" = Test = \n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(entryName));
            zip.write(content);
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static byte[] sampleArchive() throws IOException {
        return archive(WikiText2.TRAIN_ENTRY, fixture("wikitext_sample.raw"));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Serves {@code body} with {@code status} at /wikitext-2-raw-v1.zip and records every request. */
    private URI serve(int status, byte[] body) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("User-Agent"));
            if (exchange.getRequestURI().getPath().equals("/old/wikitext-2-raw-v1.zip")) {
                exchange.getResponseHeaders().add("Location", "/wikitext-2-raw-v1.zip");
                reply(exchange, 301, new byte[0]);
            } else if (exchange.getRequestURI().getPath().equals("/wikitext-2-raw-v1.zip")) {
                reply(exchange, status, body);
            } else {
                reply(exchange, 404, "not here".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/wikitext-2-raw-v1.zip");
    }

    private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private List<Path> filesUnder(Path folder) throws IOException {
        if (!Files.exists(folder)) return List.of();
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private static String offline(URI url, Path archive, String reason) {
        return "cannot download WikiText-2 from " + url + " (" + reason + "); on a machine with internet download "
                + "https://wikitext.smerity.com/wikitext-2-raw-v1.zip and put it at " + archive + ", or give the path "
                + "of a copy you have (wikitext-2-raw-v1.zip, its wiki.train.raw, or their folder)";
    }

    @Test
    void rowsJoinAndLowercaseExactlyAsPythonDoes() throws IOException {
        String raw = Utf8.decode(fixture("wikitext_sample.raw"), "sample");
        List<String> rows = WikiText2.rows(raw);
        // make_wikitext_fixtures.py prints "rows: 14, joined: 319 characters".
        assertThat(rows).hasSize(14);
        assertThat(rows.subList(0, 4)).containsExactly("\uFEFF \n", " = Sample Article = \n", "",
                " The ship ΝΑΥΣ sailed 3 @,@ 000 km ; ΟΔΟΣ , ΣΑΣ and Σ . \n");
        String joined = WikiText2.join(rows);
        assertThat(joined).isEqualTo(fixtureText("wikitext_sample.joined.txt"));
        assertThat(joined.codePointCount(0, joined.length())).isEqualTo(319);
        assertThat(WikiText2.lowerPrefix(joined, 1_000_000)).isEqualTo(fixtureText("wikitext_sample.lower.txt"));
    }

    @Test
    void rowsOfTheRealFilesOpening() {
        // The published train split starts ["", " = Valkyria Chronicles III = \n", "", " Senjō no ..."], from a
        // wiki.train.raw whose blank lines are " \n".
        List<String> rows = WikiText2.rows(" \n = Valkyria Chronicles III = \n \n Senjō no Valkyria 3 \n");
        assertThat(rows).containsExactly("", " = Valkyria Chronicles III = \n", "", " Senjō no Valkyria 3 \n");
        assertThat(WikiText2.join(rows)).isEqualTo("\n = Valkyria Chronicles III = \n\n\n Senjō no Valkyria 3 \n");
        assertThat(WikiText2.rows("")).isEmpty();
    }

    @Test
    void pythonWhitespaceIsNotJavasWhitespace() {
        for (char c : new char[] {'\u0085', '\u00A0', '\u2007', '\u202F'}) {
            assertThat(WikiText2.pythonSpace(c)).as("U+%04X", (int) c).isTrue();
            assertThat(Character.isWhitespace(c)).as("U+%04X", (int) c).isFalse();
        }
        for (char c : new char[] {'\u200B', '\uFEFF', 'a', '\u180E'}) {
            assertThat(WikiText2.pythonSpace(c)).as("U+%04X", (int) c).isFalse();
        }
    }

    @Test
    void lowerPrefixCountsCodePointsLikePythonSlicing() {
        assertThat(WikiText2.lowerPrefix("AB😀CD", 3)).isEqualTo("ab😀");
        assertThat(WikiText2.lowerPrefix("AB😀CD", 99)).isEqualTo("ab😀cd");
        // Lowercased before cutting: the final sigma sees the letter after the cut, as in Python.
        assertThat(WikiText2.lowerPrefix("ΟΔΟΣΑ", 4)).isEqualTo("οδοσ");
        assertThatThrownBy(() -> WikiText2.lowerPrefix("abc", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the number of WikiText characters must be at least 1, found 0");
    }

    @Test
    void settingsComeFromTheEnvironment() {
        Properties props = new Properties();
        props.setProperty("user.home", "/home/u");
        WikiText2 plain = WikiText2.fromEnvironment(Map.of(), props);
        assertThat(plain.cacheDir()).isEqualTo(Path.of("/home/u/.cache/rnnlab/wikitext-2-raw-v1"));
        assertThat(plain.cachedArchive())
                .isEqualTo(Path.of("/home/u/.cache/rnnlab/wikitext-2-raw-v1/wikitext-2-raw-v1.zip"));
        assertThat(plain.archiveUrl()).isEqualTo(URI.create("https://wikitext.smerity.com/wikitext-2-raw-v1.zip"));
        assertThat(plain.sha256()).isEqualTo(WikiText2.SHA256);

        WikiText2 env = WikiText2.fromEnvironment(
                Map.of("RNNLAB_CACHE", "/c", "RNNLAB_WIKITEXT_URL", "http://127.0.0.1:9/mirror"), props);
        assertThat(env.cacheDir()).isEqualTo(Path.of("/c/wikitext-2-raw-v1"));
        assertThat(env.archiveUrl()).isEqualTo(URI.create("http://127.0.0.1:9/mirror/wikitext-2-raw-v1.zip"));

        props.setProperty("rnnlab.wikitext.url", "https://example.org/w2.zip");
        assertThat(WikiText2.fromEnvironment(Map.of("RNNLAB_WIKITEXT_URL", "http://x/"), props).archiveUrl())
                .as("the system property wins over the variable")
                .isEqualTo(URI.create("https://example.org/w2.zip"));

        props.setProperty("rnnlab.wikitext.url", "http://bad host/");
        assertThatThrownBy(() -> WikiText2.fromEnvironment(Map.of(), props))
                .hasMessage("-Drnnlab.wikitext.url is not a URL: \"http://bad host/\" "
                        + "(Illegal character in authority)");
        assertThatThrownBy(() -> new WikiText2(dir, URI.create("ftp://x/w.zip"), WikiText2.SHA256))
                .hasMessage("the WikiText-2 URL must start with https:// or http://, found ftp://x/w.zip");
        assertThatThrownBy(() -> new WikiText2(dir, URI.create("http://x/w.zip"), "ABC"))
                .hasMessage("a SHA-256 digest is 64 lowercase hex digits, found \"ABC\"");
    }

    @Test
    void downloadsOnceIntoTheCacheThenReadsTheCache() throws Exception {
        byte[] zip = sampleArchive();
        URI url = serve(200, zip);
        Path cache = dir.resolve("cache/wikitext-2-raw-v1");
        WikiText2 w = new WikiText2(cache, url, sha256(zip));

        WikiText2.Train first = w.load();
        assertThat(first.origin()).isEqualTo(WikiText2.Origin.DOWNLOADED);
        assertThat(first.file()).isEqualTo(cache.resolve("wikitext-2-raw-v1.zip"));
        assertThat(first.text()).isEqualTo(fixtureText("wikitext_sample.joined.txt"));
        assertThat(filesUnder(dir.resolve("cache"))).as("the archive and nothing else, no temporary file")
                .containsExactly(cache.resolve("wikitext-2-raw-v1.zip"));
        assertThat(Files.readAllBytes(w.cachedArchive())).isEqualTo(zip);
        assertThat(requests).containsExactly("GET /wikitext-2-raw-v1.zip rnnlab (java.net.http)");

        WikiText2.Train second = new WikiText2(cache, url, sha256(zip)).load();
        assertThat(second.origin()).isEqualTo(WikiText2.Origin.CACHED);
        assertThat(second.text()).isEqualTo(first.text());
        assertThat(requests).as("the cache hit made no request").hasSize(1);
    }

    @Test
    void followsARedirect() throws Exception {
        byte[] zip = sampleArchive();
        URI url = serve(200, zip).resolve("/old/wikitext-2-raw-v1.zip");
        WikiText2.Train t = new WikiText2(dir, url, sha256(zip)).load();
        assertThat(t.text()).isEqualTo(fixtureText("wikitext_sample.joined.txt"));
        assertThat(requests).hasSize(2);
    }

    @Test
    void aChecksumMismatchLeavesNothingInTheCache() throws Exception {
        byte[] zip = sampleArchive();
        URI url = serve(200, zip);
        Path cache = dir.resolve("cache");
        WikiText2 w = new WikiText2(cache, url, WikiText2.SHA256);
        assertThatThrownBy(w::load).isInstanceOf(IOException.class)
                .hasMessage(url + " sent " + zip.length + " bytes with SHA-256 " + sha256(zip) + " but the published "
                        + "wikitext-2-raw-v1.zip has " + WikiText2.SHA256 + "; nothing was saved: download "
                        + "wikitext-2-raw-v1.zip from another copy and give its path, or put it at "
                        + cache.resolve("wikitext-2-raw-v1.zip"));
        assertThat(filesUnder(cache)).isEmpty();
    }

    @Test
    void aDamagedCachedArchiveIsReportedWithoutDownloading() throws Exception {
        byte[] zip = sampleArchive();
        URI url = serve(200, zip);
        Path cache = dir.resolve("cache");
        Files.createDirectories(cache);
        byte[] damaged = zip.clone();
        damaged[damaged.length / 2] ^= 1;
        Files.write(cache.resolve("wikitext-2-raw-v1.zip"), damaged);
        WikiText2 w = new WikiText2(cache, url, sha256(zip));
        assertThatThrownBy(w::load).isInstanceOf(IOException.class)
                .hasMessage(cache.resolve("wikitext-2-raw-v1.zip") + " has SHA-256 " + sha256(damaged)
                        + " but the published wikitext-2-raw-v1.zip has " + sha256(zip) + "; delete it to download "
                        + "it again, or give its path as a local copy to use it unchecked");
        assertThat(requests).isEmpty();
    }

    @Test
    void aMissingFileOnTheServerSaysWhatToDownloadAndWhereToPutIt() throws Exception {
        URI url = serve(404, "gone".getBytes(StandardCharsets.UTF_8));
        Path cache = dir.resolve("cache");
        WikiText2 w = new WikiText2(cache, url, WikiText2.SHA256);
        assertThatThrownBy(w::load).isInstanceOf(IOException.class)
                .hasMessage(offline(url, w.cachedArchive(), "the server answered HTTP 404"));
        assertThat(filesUnder(cache)).isEmpty();
    }

    @Test
    void offlineSaysWhatToDownloadAndWhereToPutIt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + port + "/wikitext-2-raw-v1.zip");
        Path cache = dir.resolve("cache");
        WikiText2 w = new WikiText2(cache, url, WikiText2.SHA256);
        assertThatThrownBy(w::load).isInstanceOf(IOException.class)
                .hasMessage(offline(url, w.cachedArchive(), "could not connect to 127.0.0.1:" + port));
        assertThat(filesUnder(cache)).isEmpty();
    }

    @Test
    void aConnectionThatBreaksMidwayLeavesNoPartialFile() throws Exception {
        byte[] zip = sampleArchive();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, zip.length * 2L); // promise more than is sent
            exchange.getResponseBody().write(zip);
            exchange.getResponseBody().flush();
            exchange.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/wikitext-2-raw-v1.zip");
        Path cache = dir.resolve("cache");
        WikiText2 w = new WikiText2(cache, url, sha256(zip));
        assertThatThrownBy(w::load).isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot download WikiText-2 from " + url + " (the connection broke after ")
                .hasMessageEndingWith("or give the path of a copy you have (wikitext-2-raw-v1.zip, its "
                        + "wiki.train.raw, or their folder)");
        assertThat(filesUnder(cache)).isEmpty();
    }

    @Test
    void readsALocalCopyInEachFormWithoutTheNetwork() throws Exception {
        String expected = fixtureText("wikitext_sample.joined.txt");
        // The server is never started: a given copy must not touch the network.
        WikiText2 w = new WikiText2(dir.resolve("cache"), URI.create("http://127.0.0.1:9/x.zip"), WikiText2.SHA256);

        Path zip = Files.write(dir.resolve("mine.zip"), sampleArchive());
        Path repacked = Files.write(dir.resolve("repacked.zip"),
                archive("wiki.train.raw", fixture("wikitext_sample.raw")));
        Path folder = dir.resolve("unzipped/wikitext-2-raw");
        Files.createDirectories(folder);
        Path raw = Files.write(folder.resolve("wiki.train.raw"), fixture("wikitext_sample.raw"));
        for (Path copy : List.of(zip, repacked, raw, folder, dir.resolve("unzipped"))) {
            WikiText2.Train t = w.load(copy);
            assertThat(t.text()).as("%s", copy).isEqualTo(expected);
            assertThat(t.origin()).isEqualTo(WikiText2.Origin.GIVEN);
            assertThat(t.file()).isEqualTo(copy);
        }
        assertThat(filesUnder(dir.resolve("cache"))).isEmpty();
    }

    @Test
    void aLocalCopyThatIsNotWikiTextIsAClearError() throws Exception {
        WikiText2 w = new WikiText2(dir.resolve("cache"), URI.create("http://127.0.0.1:9/x.zip"), WikiText2.SHA256);
        Path missing = dir.resolve("nope.zip");
        assertThatThrownBy(() -> w.load(missing)).isInstanceOf(NoSuchFileException.class)
                .hasMessage(missing + ": no such file or folder");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> w.load(empty)).isInstanceOf(NoSuchFileException.class)
                .hasMessage(empty + ": no wiki.train.raw or wikitext-2-raw/wiki.train.raw in this folder; give "
                        + "wikitext-2-raw-v1.zip, its wiki.train.raw, or the folder holding it");
        Path other = Files.write(dir.resolve("other.zip"), archive("wikitext-2-raw/wiki.valid.raw", new byte[] {'x'}));
        assertThatThrownBy(() -> w.load(other)).isInstanceOf(IOException.class)
                .hasMessage(other + ": no wikitext-2-raw/wiki.train.raw in this zip; expected the archive "
                        + "wikitext-2-raw-v1.zip");
        Path notZip = Files.writeString(dir.resolve("text.zip"), "not a zip");
        assertThatThrownBy(() -> w.load(notZip)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(notZip + ": not a readable zip archive (");
        Path latin1 = Files.write(dir.resolve("latin1.zip"),
                archive(WikiText2.TRAIN_ENTRY, " caf\u00E9 \n".getBytes(StandardCharsets.ISO_8859_1)));
        assertThatThrownBy(() -> w.load(latin1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(latin1 + "!wikitext-2-raw/wiki.train.raw: invalid UTF-8 at byte 4 (line 1): byte 0xE9 "
                        + "starts a 3-byte character but byte 2 of it is 0x20, not a continuation byte 0x80-0xBF; "
                        + "re-encode the file as UTF-8");
    }

    @Test
    void theNotebooksWikiTextAndMixCorpora() throws Exception {
        Path raw = Files.write(dir.resolve("wiki.train.raw"),
                " \n = Valkyria Chronicles III = \n \n Senjō no Valkyria 3 \n".getBytes(StandardCharsets.UTF_8));
        WikiText2.Train t = new WikiText2(dir, URI.create(WikiText2.DEFAULT_URL), WikiText2.SHA256).load(raw);

        Corpus wiki = Corpus.wikiText(t, 20);
        assertThat(wiki.text()).isEqualTo("\n = valkyria chronic");
        assertThat(wiki.name()).isEqualTo("wikitext-2-raw-v1 train[:20]");
        assertThat(wiki.files()).containsExactly(raw);

        Corpus mix = Corpus.mix(t, 1000);
        assertThat(mix.text())
                .isEqualTo(LabCorpus.TEXT + "\n\n = valkyria chronicles iii = \n\n\n senjō no valkyria 3 \n");
        assertThat(mix.name()).isEqualTo("lab + wikitext-2-raw-v1 train[:1000]");
        assertThat(mix.summary()).isEqualTo("lab + wikitext-2-raw-v1 train[:1000] (1 file: " + raw + "): "
                + (339 + 1 + 55) + " characters");

        assertThatThrownBy(() -> Corpus.wikiText(t, 1))
                .hasMessage("corpus wikitext-2-raw-v1 train[:1] has 1 character; a language model needs at least 2");
    }
}
