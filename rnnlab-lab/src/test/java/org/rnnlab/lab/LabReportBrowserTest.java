package org.rnnlab.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.rnnlab.model.CellType;
import org.rnnlab.text.Corpus;

/**
 * The lab's report opened from disk in Debian's headless Chromium (as {@code .ci/run} installs it): every chart is
 * drawn, with its lines, cells and labels laid out at a real size. Skipped on a developer machine without Chromium,
 * never in CI. The screenshot is kept in {@code target/lab-report.png}.
 */
class LabReportBrowserTest {
    @Test
    void everyChartIsDrawn() throws Exception {
        Path driver = Path.of("/usr/bin/chromedriver");
        boolean present = Files.isExecutable(driver) && Files.isExecutable(Path.of("/usr/bin/chromium"));
        if (System.getenv("CI") != null) assertThat(present).as("CI must install chromium and chromium-driver").isTrue();
        assumeTrue(present, "Debian's chromium and chromium-driver are not installed");

        Lab.Result r = Lab.run(new Lab.Options(List.of(CellType.RNN_TANH, CellType.LSTM), 1, 0, Corpus.lab(),
                RnnVsLstm.Lang.EN), line -> { });
        Path html = Files.createTempDirectory("rnnlab-report").resolve("report.html");
        Files.writeString(html, r.reportHtml(), StandardCharsets.UTF_8);

        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,1000", "--user-data-dir=" + Files.createTempDirectory("rnnlab-chromium"));
        ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
                .usingAnyFreePort().build(), options);
        try {
            browser.get(html.toUri().toString());
            List<WebElement> charts = browser.findElements(By.cssSelector("svg"));
            // BPTT loss, training loss, gradient flow, and one heat map per model.
            assertThat(charts).hasSizeGreaterThanOrEqualTo(5);
            for (WebElement svg : charts) {
                assertThat(svg.getRect().getWidth()).as("chart width").isGreaterThan(200);
                assertThat(svg.getRect().getHeight()).as("chart height").isGreaterThan(100);
            }
            // Lines are drawn as paths with real geometry; heat-map cells as rectangles.
            List<WebElement> lines = browser.findElements(By.cssSelector("svg path, svg polyline"));
            assertThat(lines).isNotEmpty();
            assertThat(lines.stream().mapToInt(e -> e.getRect().getWidth()).max().orElse(0)).isGreaterThan(200);
            assertThat(browser.findElements(By.cssSelector("svg rect"))).hasSizeGreaterThan(2 * 128 * 10);
            assertThat(browser.findElement(By.tagName("body")).getText())
                    .contains("Gradient flow through time", "RNN hidden state", "LSTM hidden state", "Completions",
                            "What the cells learned", "too little for a clear cell");
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target", "lab-report.png"), browser.getScreenshotAs(OutputType.BYTES));

            // What the cells learned: each model's text tinted by its best cell, character by character
            List<WebElement> tinted = browser.findElements(By.cssSelector("pre.rl-tint span"));
            assertThat(tinted).hasSize(2 * 339);
            // one round trip for all 339 colours of the first model's text
            Object colours = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return new Set(Array.from("
                    + "document.querySelectorAll('pre.rl-tint')[0].children, e => getComputedStyle(e).backgroundColor)).size");
            assertThat(((Number) colours).intValue()).as("the colours follow the cell").isGreaterThan(10);
            assertThat(tinted.get(0).getAttribute("title")).startsWith("'i', position 0: ");
            assertThat(tinted.get(0).getRect().getWidth()).isGreaterThan(4);
            // the LSTM's gate saturation: a scatter of 3 gates x 128 cells
            WebElement scatter = browser.findElement(By.cssSelector("svg.rl-scatter"));
            assertThat(scatter.getRect().getWidth()).isGreaterThan(300);
            Object points = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                    "return arguments[0].querySelectorAll('title').length", scatter);
            assertThat(((Number) points).intValue()).isGreaterThanOrEqualTo(3 * 128);
            ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView()",
                    browser.findElement(By.xpath("//h2[text()='What the cells learned']")));
            Files.write(Path.of("target", "lab-report-cells.png"), browser.getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.quit();
        }
    }
}
