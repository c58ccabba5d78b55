package org.rnnlab.explore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.rnnlab.text.Vocabulary;

/**
 * The explorer page opened from disk in Debian's headless Chromium and used as a person would: choose a cell (the
 * text's colours change, and follow the cell), drag across a span (its cells are listed, and the places where they
 * fire), hover a character (its five likeliest successors appear), scroll a long text (only what is on screen is in
 * the document). The model is {@link HandMadeModels#bracketCounter}, whose cell 0 is the bracket depth, so what the
 * page should show is known. Skipped without Chromium, never in CI; screenshots in {@code target/explore-*.png}.
 */
class ExploreBrowserTest {
    static final int T = 6000;
    static ChromeDriver browser;
    static String text;
    static Path page;

    @BeforeAll
    static void open() throws Exception {
        Path driver = Path.of("/usr/bin/chromedriver");
        boolean present = Files.isExecutable(driver) && Files.isExecutable(Path.of("/usr/bin/chromium"));
        if (System.getenv("CI") != null) assertThat(present).as("CI must install chromium and chromium-driver").isTrue();
        assumeTrue(present, "Debian's chromium and chromium-driver are not installed");
        text = HandMadeModels.bracketText(T, 11);
        Vocabulary v = Vocabulary.fromText(text);
        Exploration e = Exploration.of(HandMadeModels.bracketCounter(v, 11), v, text);
        page = Files.createTempDirectory("rnnlab-explore").resolve("explore.html");
        Files.writeString(page, ExplorePage.render(e, "hand-made bracket counter", "ReLU RNN, 8 cells"), StandardCharsets.UTF_8);
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,1000", "--user-data-dir=" + Files.createTempDirectory("rnnlab-chromium"));
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
                .usingAnyFreePort().build(), options);
    }

    @AfterAll
    static void close() {
        if (browser != null) browser.quit();
    }

    static void load() {
        browser.get(page.toUri().toString());
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> !d.findElements(By.cssSelector("#ex-rows span[data-t]")).isEmpty());
    }

    static WebElement at(int t) {
        return browser.findElement(By.cssSelector("#ex-rows span[data-t=\"" + t + "\"]"));
    }

    /** "r, g, b" of character t's background (Selenium answers rgba(...)). */
    static String background(int t) {
        return at(t).getCssValue("background-color").replaceAll("rgba?\\((\\d+), (\\d+), (\\d+).*", "$1, $2, $3");
    }

    static void screenshot(String name) throws Exception {
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "explore-" + name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    /** The first bracket group at depth 0 that closes within 25 characters, in the first 400: [open, close]. */
    static int[] firstShortGroup() {
        for (int open = 0; open < 400; open++) {
            if (text.charAt(open) != '(' || depth(open - 1) != 0) continue;
            for (int t = open + 1, d = 1; t < open + 25 && t < text.length(); t++) {
                d += text.charAt(t) == '(' ? 1 : text.charAt(t) == ')' ? -1 : 0;
                if (d == 0) {
                    if (t - open >= 3) return new int[] {open, t};
                    break;
                }
            }
        }
        throw new AssertionError("no short bracket group near the start of the text");
    }

    static int depth(int upTo) {
        int d = 0;
        for (int t = 0; t <= upTo; t++) d = Math.max(0, d + (text.charAt(t) == '(' ? 1 : text.charAt(t) == ')' ? -1 : 0));
        return d;
    }

    @Test
    void choosingACellRecoloursTheTextByThatCell() throws Exception {
        load();
        int[] g = firstShortGroup();
        // choose the bracket-depth cell from the finder's table
        browser.findElement(By.cssSelector("tr[data-feature=paren_depth] .ex-pick[data-state=\"0\"][data-unit=\"0\"]")).click();
        assertThat(browser.findElement(By.id("ex-unit")).getAttribute("value")).isEqualTo("0");
        assertThat(browser.findElement(By.id("ex-cell-info")).getText()).contains("h 0", "( ) depth", "+1.00");
        String outside = background(g[0] - 1), inside = background(g[0] + 1);
        assertThat(outside).as("depth 0: the scale's white").isEqualTo("247, 247, 247");
        assertThat(inside).as("inside a bracket: red").isNotEqualTo(outside);
        int red = Integer.parseInt(inside.split(", ")[0]), blue = Integer.parseInt(inside.split(", ")[2]);
        assertThat(red).isGreaterThan(blue);
        screenshot("depth-cell");

        // now the newline cell: the colours follow it instead
        browser.findElement(By.cssSelector("tr[data-feature=newline] .ex-pick[data-state=\"0\"][data-unit=\"1\"]")).click();
        assertThat(background(g[0] + 1)).isNotEqualTo(inside);
        int nl = text.indexOf('\n');
        assertThat(background(nl)).isNotEqualTo("247, 247, 247");
        assertThat(browser.findElement(By.id("ex-cell-info")).getText()).contains("h 1", "after a newline");
        // and a cell typed in by number
        WebElement unit = browser.findElement(By.id("ex-unit"));
        unit.clear();
        unit.sendKeys("5\n");
        assertThat(browser.findElement(By.id("ex-cell-info")).getText()).startsWith("h 5");
    }

    @Test
    void selectingASpanListsItsCellsAndWhereTheyFire() throws Exception {
        load();
        int[] g = firstShortGroup();
        // the depth cell is a ReLU's count, about 1 in 6 of its range at depth 1: a threshold under that
        ((JavascriptExecutor) browser).executeScript("const s = document.getElementById('ex-threshold'); s.value = '0.1';"
                + "s.dispatchEvent(new Event('input'));");
        // drag from the opening bracket to the character before the closing one: inside, with depth 0 around it
        WebElement from = at(g[0]), to = at(g[1] - 1);
        new Actions(browser).moveToElement(from, -from.getRect().getWidth() / 2 + 1, 0).clickAndHold()
                .moveToElement(to, to.getRect().getWidth() / 2 - 1, 0).release().perform();
        WebElement cells = new WebDriverWait(browser, Duration.ofSeconds(10))
                .until(d -> d.findElements(By.cssSelector("#ex-span-cells button")).isEmpty() ? null : d.findElement(By.id("ex-span-cells")));
        assertThat(cells.findElements(By.tagName("button"))).extracting(WebElement::getText).contains("h 0");
        assertThat(browser.findElement(By.id("ex-span-note")).getText()).contains("characters " + g[0] + "–" + (g[1] - 1));
        List<WebElement> places = browser.findElements(By.cssSelector("#ex-matches button"));
        assertThat(places).hasSizeGreaterThan(1);
        assertThat(browser.findElement(By.id("ex-matches-note")).getText()).startsWith("Together they fire at");
        assertThat(at(g[0] + 1).getAttribute("class")).contains("s");
        screenshot("span");

        // a threshold no cell passes across the whole span empties the list
        ((JavascriptExecutor) browser).executeScript("const s = document.getElementById('ex-threshold'); s.value = '1';"
                + "s.dispatchEvent(new Event('input'));");
        assertThat(browser.findElement(By.id("ex-span-note")).getText()).contains("above 1.00", "Lower the threshold");
    }

    @Test
    void hoveringACharacterShowsItsFiveLikeliestSuccessors() throws Exception {
        load();
        new Actions(browser).moveToElement(at(3)).perform();
        WebElement tip = new WebDriverWait(browser, Duration.ofSeconds(5)).until(d -> {
            WebElement e = d.findElement(By.id("ex-tip"));
            return e.isDisplayed() ? e : null;
        });
        List<WebElement> items = tip.findElements(By.cssSelector("#ex-top5 li"));
        assertThat(items).hasSize(5);
        double sum = 0, previous = 101;
        for (WebElement li : items) {
            String p = li.findElement(By.className("p")).getText();
            assertThat(p).matches("<?[\\d.]+%");
            double v = p.startsWith("<") ? 0 : Double.parseDouble(p.replace("%", ""));
            assertThat(v).isLessThanOrEqualTo(previous);
            previous = v;
            sum += v;
        }
        assertThat(sum).isBetween(1.0, 100.1);
        assertThat(tip.getText()).contains("character 3");
        screenshot("hover");
    }

    @Test
    void onlyTheLinesOnScreenAreInTheDocument() {
        load();
        int shown = browser.findElements(By.cssSelector("#ex-rows span[data-t]")).size();
        assertThat(shown).isBetween(50, T / 3);
        ((JavascriptExecutor) browser).executeScript("const b = document.getElementById('ex-text'); b.scrollTop = b.scrollHeight;");
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(d -> !d.findElements(By.cssSelector("#ex-rows span[data-t=\"" + (T - 1) + "\"]")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("#ex-rows span[data-t=\"0\"]"))).isEmpty();
        assertThat(browser.findElements(By.cssSelector("#ex-rows span[data-t]")).size()).isLessThan(T / 3);
    }
}
