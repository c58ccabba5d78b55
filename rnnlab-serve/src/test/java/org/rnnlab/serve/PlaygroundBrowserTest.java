package org.rnnlab.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The playground page in a real browser: Debian's headless Chromium driven through Debian's chromedriver (never a
 * downloaded one: the machines are offline). {@code .ci/run} installs both; on a developer machine without them the
 * test is skipped, never in CI. Screenshots are kept in {@code target/playground-*.png}.
 */
class PlaygroundBrowserTest {
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static ModelServer server;
    static ChromeDriver browser;
    static String base;

    @BeforeAll
    static void start() throws IOException {
        boolean present = Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(Path.of("/usr/bin/chromium"));
        if (System.getenv("CI") != null) {
            assertThat(present).as("CI must install chromium and chromium-driver (see .ci/run)").isTrue();
        }
        assumeTrue(present, "Debian's chromium and chromium-driver are not installed");
        server = new ModelServer(List.of(ServerApiTest.notebookModel("lstm", "lstm_L1_notebook.pt"),
                ServerApiTest.notebookModel("rnn", "rnn_L1_notebook.pt")), ServeConfig.defaults().withPort(0));
        base = "http://127.0.0.1:" + server.start() + "/";
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,900", "--user-data-dir=" + Files.createTempDirectory("rnnlab-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.quit();
        if (server != null) server.close();
    }

    static WebDriverWait waitUpTo(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    static void screenshot(String name) throws IOException {
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "playground-" + name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void showsTheModelsAndTheNextCharacterDistributionAtTheCursor() throws IOException {
        browser.get(base);
        waitUpTo(10).until(d -> d.findElements(By.cssSelector("#model option")).size() == 2);
        assertThat(browser.findElement(By.id("facts")).getText()).contains("LSTM", "106,855");
        WebElement prompt = browser.findElement(By.id("prompt"));
        prompt.clear();
        prompt.sendKeys("the ca");
        waitUpTo(10).until(d -> !d.findElements(By.cssSelector("#bars .ch")).isEmpty());
        List<WebElement> chars = browser.findElements(By.cssSelector("#bars .ch"));
        assertThat(chars).hasSizeGreaterThan(3);
        assertThat(chars.get(0).getText()).isEqualTo("t"); // "the cat" is in the training text
        screenshot("next");

        prompt.sendKeys(" 1");
        WebElement error = waitUpTo(10).until(d -> {
            WebElement e = d.findElement(By.id("error"));
            return e.isDisplayed() ? e : null;
        });
        assertThat(error.getText()).contains("not in the model's vocabulary", "1");
        prompt.sendKeys(Keys.BACK_SPACE, Keys.BACK_SPACE);
        waitUpTo(10).until(d -> !d.findElement(By.id("error")).isDisplayed());
    }

    @Test
    void generatesAndStreamsACompletion() throws IOException {
        browser.get(base);
        waitUpTo(10).until(d -> d.findElements(By.cssSelector("#model option")).size() == 2);
        WebElement prompt = browser.findElement(By.id("prompt"));
        prompt.clear();
        prompt.sendKeys("for (i = 0; ");
        WebElement length = browser.findElement(By.id("length"));
        length.clear();
        length.sendKeys("120");
        // The keyboard shortcut, as a user would press it.
        prompt.sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
        waitUpTo(20).until(d -> d.findElement(By.id("status")).getText().contains("characters in"));
        String generated = browser.findElement(By.id("generated")).getText();
        assertThat(generated.codePointCount(0, generated.length())).isBetween(100, 120); // <pre> text, whitespace kept
        assertThat(browser.findElement(By.id("output")).getText()).startsWith("for (i = 0; ");
        assertThat(browser.findElement(By.id("status")).getText()).contains("length", "seed 0");
        screenshot("complete");
    }

    @Test
    void exploresATextInsideThePlayground() throws IOException {
        browser.get(base);
        waitUpTo(10).until(d -> d.findElements(By.cssSelector("#model option")).size() == 2);
        browser.findElement(By.id("explore-text")).sendKeys("if (a == b) { return a; }\nwhile (true) { break; }\nthe cat sat.");
        browser.findElement(By.id("explore")).click();
        waitUpTo(20).until(d -> d.findElement(By.id("explore-status")).getText().contains("characters read"));
        WebElement frame = browser.findElement(By.id("explore-view"));
        assertThat(frame.isDisplayed()).isTrue();
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView()", frame);
        browser.switchTo().frame(frame);
        try {
            waitUpTo(10).until(d -> d.findElements(By.cssSelector("#ex-rows span[data-t]")).size() == 62);
            String before = backgrounds();
            List<WebElement> picks = browser.findElements(By.cssSelector(".ex-pick:not(.on)"));
            assertThat(picks).isNotEmpty();
            picks.get(0).click();
            assertThat(backgrounds()).as("another cell, other colours").isNotEqualTo(before);
            new org.openqa.selenium.interactions.Actions(browser)
                    .moveToElement(browser.findElement(By.cssSelector("#ex-rows span[data-t=\"3\"]"))).perform();
            List<WebElement> top = waitUpTo(5).until(d -> {
                List<WebElement> li = d.findElements(By.cssSelector("#ex-top5 li"));
                return li.size() == 5 ? li : null;
            });
            assertThat(top.get(0).getText()).matches("(?s).+\\d%");
            assertThat(browser.findElement(By.id("ex-tip")).getText()).contains("after ‘(’");
            screenshot("explore");
        } finally {
            browser.switchTo().defaultContent();
        }
        browser.findElement(By.id("explore-text")).sendKeys(" 1");
        browser.findElement(By.id("explore")).click();
        WebElement error = waitUpTo(10).until(d -> d.findElement(By.id("explore-error")).isDisplayed() ? d.findElement(By.id("explore-error")) : null);
        assertThat(error.getText()).contains("not in the model's vocabulary", "'1'");
    }

    /** Every drawn character's background, in one round trip. */
    private static String backgrounds() {
        return (String) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return Array.from("
                + "document.querySelectorAll('#ex-rows span[data-t]'), e => getComputedStyle(e).backgroundColor).join(';')");
    }
}
