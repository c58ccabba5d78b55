package org.rnnlab.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.rnnlab.io.AtomicFiles;

/**
 * WikiText-2 (raw), the notebook's optional second corpus: its training text exactly as the notebook's
 * {@code "\n".join(load_dataset("wikitext", "wikitext-2-raw-v1")["train"]["text"])} gives it, read from a local
 * copy, from the cache, or downloaded once into the cache.
 *
 * <h2>What the notebook gets</h2>
 * Hugging Face built the {@code wikitext-2-raw-v1} train split from {@code wikitext-2-raw/wiki.train.raw} in the
 * published archive {@code wikitext-2-raw-v1.zip} (its builder {@code datasets/wikitext/wikitext.py}): the file
 * opened with {@code open(path, encoding="utf-8")}, one row per line, each line keeping its {@code "\n"}, and a line
 * that is blank after {@code str.strip()} (WikiText's separator lines are {@code " \n"}) stored as {@code ""}. That
 * gives the 36,718 rows the dataset card lists, starting {@code ["", " = Valkyria Chronicles III = \n", "",
 * " Senjō no Valkyria 3 : ..."]}; the Hub's Parquet files ({@code Salesforce/wikitext}) were converted from the
 * builder's output and hold the same rows. Joining them with {@code "\n"} is therefore not the file: every blank
 * line loses its space and every line gains a second {@code "\n"}. {@link #rows} and {@link #join} redo this with
 * Python's rules (universal newlines, Python's whitespace set), checked against Python itself on a fixture made by
 * {@code tools/make_wikitext_fixtures.py}. {@link #lowerPrefix} is the notebook's {@code .lower()[:N]}: Java 17's
 * {@code toLowerCase(Locale.ROOT)} and Python 3.11's {@code str.lower()} agree on every code point except 40 letters
 * that Unicode 14 added after Java 17's Unicode 13 (none occurs in WikiText), and both apply the final-sigma rule.
 *
 * <h2>Which file, from where</h2>
 * The Hub now serves only Parquet (Thrift metadata, Snappy-compressed pages). Reading it from Java takes
 * parquet-java with a Hadoop client, tens of megabytes of dependencies, or a hand-written Parquet and Snappy reader;
 * either outweighs the data. The original distribution is a plain zip that {@code java.util.zip} reads, and the
 * Hub's rows follow from it by the few lines above, so rnnlab downloads the zip and needs no new dependency. Its first
 * home, {@code https://s3.amazonaws.com/research.metamind.io/wikitext/}, has answered 403 since early 2024; the
 * dataset's author, Stephen Merity, serves the same archive at {@value #DEFAULT_URL}, which is the default here.
 * That host is reported to refuse Python's default User-Agent, so the request names itself ({@value #USER_AGENT}).
 *
 * <h2>The checksum</h2>
 * {@value #SHA256} (4,721,645 bytes) is the SHA-256 of {@code wikitext-2-raw-v1.zip} that Hugging Face's
 * {@code datasets} recorded when it downloaded the archive from the original S3 address
 * ({@code datasets/wikitext/dataset_infos.json}, {@code download_checksums}, the same in every version of that file);
 * an independent loader pins the same digest for the smerity.com address. It was not re-computed when this class
 * was written: that machine had no internet. Should the mirror serve other bytes, the check says so with both
 * digests, and a copy given explicitly ({@link #load(Path)}) is still read, unchecked.
 *
 * <h2>Order of look-up</h2>
 * <ol>
 *   <li>A local copy the caller names: {@code wikitext-2-raw-v1.zip}, {@code wiki.train.raw}, or the folder holding
 *       either {@code wiki.train.raw} or {@code wikitext-2-raw/wiki.train.raw}. Read as it is, without a checksum:
 *       the caller chose it.</li>
 *   <li>The cache folder, {@code $RNNLAB_CACHE/wikitext-2-raw-v1/} or {@code ~/.cache/rnnlab/wikitext-2-raw-v1/},
 *       holding {@code wikitext-2-raw-v1.zip}; checked against the SHA-256 on every load (milliseconds for 4.7 MB),
 *       so a damaged or foreign file there is reported, not trained on.</li>
 *   <li>A download over HTTPS into that folder: to a temporary file, checked, then renamed, so the cache never
 *       holds a partial or unchecked archive. The address can be changed for a mirror or a test with the system
 *       property {@value #URL_PROPERTY} or the environment variable {@value #URL_VARIABLE} (the property wins): a
 *       folder URL, to which the archive's name is appended, or the full URL of a {@code .zip}.</li>
 * </ol>
 * Does not lowercase or cut (see {@link Corpus#wikiText}), and reads only the train split, the one the notebook uses.
 *
 * @param cacheDir the folder that holds the downloaded archive
 * @param archiveUrl where to download {@value #ARCHIVE} from
 * @param sha256 the archive's expected SHA-256, 64 lowercase hex digits
 */
public record WikiText2(Path cacheDir, URI archiveUrl, String sha256) {
    public static final String ARCHIVE = "wikitext-2-raw-v1.zip";
    /** The train split's file inside {@link #ARCHIVE}. */
    public static final String TRAIN_ENTRY = "wikitext-2-raw/wiki.train.raw";
    public static final String DEFAULT_URL = "https://wikitext.smerity.com/wikitext-2-raw-v1.zip";
    /** SHA-256 of the published {@link #ARCHIVE}; where it comes from is in the class comment. */
    public static final String SHA256 = "ef7edb566e3e2b2d31b29c1fdb0c89a4cc683597484c3dc2517919c615435a11";
    public static final String URL_PROPERTY = "rnnlab.wikitext.url";
    public static final String URL_VARIABLE = "RNNLAB_WIKITEXT_URL";
    public static final String CACHE_VARIABLE = "RNNLAB_CACHE";
    static final String USER_AGENT = "rnnlab (java.net.http)";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    public WikiText2 {
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(archiveUrl, "archiveUrl");
        Objects.requireNonNull(sha256, "sha256");
        if (!"https".equals(archiveUrl.getScheme()) && !"http".equals(archiveUrl.getScheme())) {
            throw new IllegalArgumentException("the WikiText-2 URL must start with https:// or http://, found "
                    + archiveUrl);
        }
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a SHA-256 digest is 64 lowercase hex digits, found \"" + sha256 + "\"");
        }
    }

    /** WikiText-2's training text, {@code "\n".join(rows)}, not lowercased; and which file it was read from. */
    public record Train(String text, Path file, Origin origin) {
        public Train {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(origin, "origin");
        }
    }

    /** Where {@link Train} came from: a copy the caller named, the cache, or a download just made. */
    public enum Origin { GIVEN, CACHED, DOWNLOADED }

    /** The cache folder and URL from the environment ({@value #CACHE_VARIABLE}, {@value #URL_PROPERTY}, ...). */
    public static WikiText2 fromEnvironment() {
        return fromEnvironment(System.getenv(), System.getProperties());
    }

    static WikiText2 fromEnvironment(Map<String, String> env, Properties properties) {
        String cache = env.get(CACHE_VARIABLE);
        Path root = cache != null && !cache.isBlank()
                ? Path.of(cache)
                : Path.of(properties.getProperty("user.home"), ".cache", "rnnlab");
        String property = properties.getProperty(URL_PROPERTY);
        String variable = env.get(URL_VARIABLE);
        URI url = property != null && !property.isBlank() ? archiveUrl(property, "-D" + URL_PROPERTY)
                : variable != null && !variable.isBlank() ? archiveUrl(variable, URL_VARIABLE)
                : URI.create(DEFAULT_URL);
        return new WikiText2(root.resolve("wikitext-2-raw-v1"), url, SHA256);
    }

    /** A folder URL gets the archive's name appended; a URL ending in {@code .zip} is taken as it is. */
    static URI archiveUrl(String url, String setting) {
        String u = url.strip();
        if (!u.endsWith(".zip")) u = (u.endsWith("/") ? u : u + "/") + ARCHIVE;
        try {
            return new URI(u);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(setting + " is not a URL: \"" + url + "\" (" + e.getReason() + ")");
        }
    }

    /** Where the downloaded archive lives. */
    public Path cachedArchive() {
        return cacheDir.resolve(ARCHIVE);
    }

    /** The cached archive, or a download of it when there is none. */
    public Train load() throws IOException {
        return load(null);
    }

    /**
     * The training text from {@code localCopy} when it is not null (see the class comment for the forms it may
     * take), otherwise from the cache, downloading the archive first when the cache has none.
     */
    public Train load(Path localCopy) throws IOException {
        if (localCopy != null) return new Train(join(rows(readGiven(localCopy))), localCopy, Origin.GIVEN);
        Path archive = cachedArchive();
        Origin origin;
        if (Files.exists(archive)) {
            String found = sha256(archive);
            if (!found.equals(sha256)) {
                throw new IOException(archive + " has SHA-256 " + found + " but the published " + ARCHIVE + " has "
                        + sha256 + "; delete it to download it again, or give its path as a local copy to use it "
                        + "unchecked");
            }
            origin = Origin.CACHED;
        } else {
            download(archive);
            origin = Origin.DOWNLOADED;
        }
        return new Train(join(rows(readTrainEntry(archive))), archive, origin);
    }

    private static String readGiven(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            for (Path candidate : List.of(path.resolve("wiki.train.raw"), path.resolve(TRAIN_ENTRY))) {
                if (Files.isRegularFile(candidate)) {
                    return Utf8.decode(Files.readAllBytes(candidate), candidate.toString());
                }
            }
            throw new NoSuchFileException(path.toString(), null, "no wiki.train.raw or " + TRAIN_ENTRY
                    + " in this folder; give " + ARCHIVE + ", its wiki.train.raw, or the folder holding it");
        }
        if (!Files.exists(path)) throw new NoSuchFileException(path.toString(), null, "no such file or folder");
        if (path.getFileName().toString().endsWith(".zip")) return readTrainEntry(path);
        return Utf8.decode(Files.readAllBytes(path), path.toString());
    }

    /** wiki.train.raw from the archive; a re-packed zip with the file elsewhere in it is accepted too. */
    private static String readTrainEntry(Path zipPath) throws IOException {
        try (ZipFile zip = new ZipFile(zipPath.toFile(), StandardCharsets.UTF_8)) {
            ZipEntry entry = zip.getEntry(TRAIN_ENTRY);
            if (entry == null) {
                entry = zip.stream().filter(e -> !e.isDirectory()
                                && (e.getName().equals("wiki.train.raw") || e.getName().endsWith("/wiki.train.raw")))
                        .findFirst().orElse(null);
            }
            if (entry == null) {
                throw new IOException(zipPath + ": no " + TRAIN_ENTRY + " in this zip; expected the archive "
                        + ARCHIVE);
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return Utf8.decode(in.readAllBytes(), zipPath + "!" + entry.getName());
            }
        } catch (ZipException e) {
            throw new IOException(zipPath + ": not a readable zip archive (" + e.getMessage() + ")", e);
        }
    }

    private void download(Path archive) throws IOException {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        HttpRequest request = HttpRequest.newBuilder(archiveUrl)
                .timeout(ANSWER_TIMEOUT)
                .header("User-Agent", USER_AGENT)
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while downloading " + archiveUrl);
        } catch (IOException e) {
            throw new IOException(cannotDownload(reason(e)), e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException(cannotDownload("the server answered HTTP " + response.statusCode()));
            }
            AtomicFiles.write(archive, out -> {
                MessageDigest digest = sha256Digest();
                byte[] buffer = new byte[1 << 16];
                long size = 0;
                try {
                    for (int n; (n = body.read(buffer)) >= 0; size += n) {
                        digest.update(buffer, 0, n);
                        out.write(buffer, 0, n);
                    }
                } catch (IOException e) {
                    throw new IOException(cannotDownload("the connection broke after " + size + " bytes: "
                            + reason(e)), e);
                }
                String found = HexFormat.of().formatHex(digest.digest());
                if (!found.equals(sha256)) {
                    // Thrown inside the writer, so AtomicFiles deletes the temporary file: nothing unchecked stays.
                    throw new IOException(archiveUrl + " sent " + size + " bytes with SHA-256 " + found
                            + " but the published " + ARCHIVE + " has " + sha256 + "; nothing was saved: download "
                            + ARCHIVE + " from another copy and give its path, or put it at " + archive);
                }
            });
        }
    }

    private String cannotDownload(String reason) {
        return "cannot download WikiText-2 from " + archiveUrl + " (" + reason + "); on a machine with internet "
                + "download " + DEFAULT_URL + " and put it at " + cachedArchive() + ", or give the path of a copy you "
                + "have (" + ARCHIVE + ", its wiki.train.raw, or their folder)";
    }

    private String reason(IOException e) {
        String host = archiveUrl.getHost();
        int port = archiveUrl.getPort() >= 0 ? archiveUrl.getPort()
                : "https".equals(archiveUrl.getScheme()) ? 443 : 80;
        if (e instanceof HttpConnectTimeoutException) {
            return "no connection to " + host + " within " + CONNECT_TIMEOUT.toSeconds() + " s";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer from " + host + " within " + ANSWER_TIMEOUT.toSeconds() + " s";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "host " + host + " not found";
            }
        }
        if (e instanceof ConnectException) return "could not connect to " + host + ":" + port;
        String kind = e.getClass().getSimpleName();
        return e.getMessage() == null ? kind : kind + ": " + e.getMessage();
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256Digest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) >= 0; ) digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * The rows {@code datasets} made from a {@code .raw} file's text: one per line as Python's text-mode file
     * iteration yields them (a line ends at LF, CRLF or a lone CR, each read as {@code "\n"}, and keeps it), with a
     * line that {@code str.strip()} empties stored as {@code ""}.
     */
    public static List<String> rows(String raw) {
        List<String> rows = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\n' && c != '\r') {
                line.append(c);
                continue;
            }
            if (c == '\r' && i + 1 < raw.length() && raw.charAt(i + 1) == '\n') i++;
            line.append('\n');
            rows.add(blank(line) ? "" : line.toString());
            line.setLength(0);
        }
        if (line.length() > 0) rows.add(blank(line) ? "" : line.toString());
        return rows;
    }

    /** {@code "\n".join(rows)}. */
    public static String join(List<String> rows) {
        return String.join("\n", rows);
    }

    /** The notebook's {@code text.lower()[:n]}: n counts code points, and a shorter text is returned whole. */
    public static String lowerPrefix(String text, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("the number of WikiText characters must be at least 1, found " + n);
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.codePointCount(0, lower.length()) <= n) return lower;
        return lower.substring(0, lower.offsetByCodePoints(0, n));
    }

    /** True when every character is whitespace by Python's {@code str.isspace()}, so that strip() leaves "". */
    private static boolean blank(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (!pythonSpace(s.charAt(i))) return false;
        }
        return true;
    }

    /** Python's whitespace set (all in the BMP), which is not Java's Character.isWhitespace: it adds U+0085 and
     * the no-break spaces U+00A0, U+2007 and U+202F. */
    static boolean pythonSpace(char c) {
        return c >= 0x09 && c <= 0x0D || c >= 0x1C && c <= 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || c >= 0x2000 && c <= 0x200A || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }
}
