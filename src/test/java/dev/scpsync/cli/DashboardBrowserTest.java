package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scpsync.testing.RequiredTools;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.logging.Level;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The dashboard in a real browser: headless Chromium, driven through the chromedriver of the
 * Debian package, against a watch of two real servers (OpenSSH and the embedded receiver). What a
 * person looking at the page would see: a written file shows up in the event feed and in each
 * card's counters; a stopped server's card turns offline while the other stays in sync; a file
 * name full of markup stays text; a token in the address reaches the status API and the event
 * stream.
 *
 * <p>{@code -Ddashboard.screenshot=docs/dashboard.png} saves the page with one target offline (the
 * README shows it); without it nothing is written outside temp directories.
 */
class DashboardBrowserTest {
  private static final Duration DEADLINE = Duration.ofSeconds(45);
  private static final String SCREENSHOT = "dashboard.screenshot";

  @TempDir static Path shared;
  private static TestServer receiver;
  private static ChromeDriverService service;
  private static ChromeDriver browser;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    Path chromium = RequiredTools.require("Chromium (Debian package chromium)", "/usr/bin/chromium");
    Path chromedriver = RequiredTools.require("chromedriver (Debian package chromium-driver)", "/usr/bin/chromedriver");
    receiver = TestServer.start(ServerKind.EMBEDDED_RECEIVER, shared.resolve("receiver"));
    // An explicit driver keeps Selenium Manager (which would look for drivers online) out of it.
    service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-US");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (service != null) {
      service.stop();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  @BeforeEach
  void blankPage() {
    browser.get("about:blank");
    browser.manage().logs().get(LogType.BROWSER); // drops what the previous page logged
  }

  @Test
  void aWrittenFileReachesFeedAndCountersAndAStoppedServerTurnsItsCardOffline() throws Exception {
    try (TestServer openssh = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("openssh"))) {
      Path src = Files.createDirectories(tmp.resolve("src"));
      Files.writeString(src.resolve("index.html"), "<h1>hello</h1>\n");
      String ssh = openssh.target(openssh.location(tmp, "site").remotePath());
      String embedded = receiver.target(receiver.location(tmp, "site").remotePath());
      try (WatchRun watch = watch(src, List.of(ssh, embedded), List.of(openssh, receiver))) {
        browser.get(watch.dashboardUrl().toString());
        waiting(watch).untilAsserted(() -> {
          assertThat(health(ssh)).isEqualTo("in-sync");
          assertThat(health(embedded)).isEqualTo("in-sync");
          assertThat(connection()).isEqualTo("live");
        });
        long sshFiles = counter(ssh, "files");
        long embeddedFiles = counter(embedded, "files");

        Files.writeString(src.resolve("hello.txt"), "hello\n");
        Path assets = Files.createDirectories(src.resolve("assets"));
        Files.write(assets.resolve("app.bin"), randomBytes(3 << 20)); // something for the throughput sparkline
        waiting(watch).untilAsserted(() -> {
          for (String target : List.of(ssh, embedded)) {
            assertThat(feedItem("file.uploaded", target, "hello.txt")).as("hello.txt uploaded to %s in the feed", target).isNotNull();
            assertThat(feedItem("file.uploaded", target, "assets/app.bin")).isNotNull();
          }
          assertThat(counter(ssh, "files")).isEqualTo(sshFiles + 2);
          assertThat(counter(embedded, "files")).isEqualTo(embeddedFiles + 2);
        });
        assertThat(feedItem("file.uploaded", ssh, "hello.txt").getText()).contains("hello.txt").contains("6 B");

        openssh.openssh().stop();
        waiting(watch).untilAsserted(() -> {
          assertThat(health(ssh)).isEqualTo("offline");
          assertThat(card(ssh).findElement(By.className("health")).getText()).isEqualTo("offline");
          assertThat(card(ssh).findElement(By.className("last-error")).isDisplayed()).isTrue();
          assertThat(feedItem("target.offline", ssh, null)).isNotNull();
          assertThat(browser.findElement(By.id("overall")).getText()).isEqualTo("1 of 2 in sync: 1 offline");
        });
        assertThat(health(embedded)).isEqualTo("in-sync");

        String markup = "<img src=x onerror=alert(1)>.txt";
        Files.writeString(src.resolve(markup), "a name that is not markup\n");
        waiting(watch).untilAsserted(() -> {
          WebElement item = feedItem("file.uploaded", embedded, markup);
          assertThat(item).as("the feed shows the upload that went on without the offline target").isNotNull();
          assertThat(item.getText()).contains(markup);
          assertThat(counter(embedded, "files")).isEqualTo(embeddedFiles + 3);
          assertThat(health(embedded)).isEqualTo("in-sync");
          assertThat(counter(ssh, "pending")).as("what the offline target still lacks").isEqualTo(1);
          assertThat(card(ssh).findElement(By.className("to-send")).getText()).as("its size").isEqualTo("26 B");
          assertThat(card(embedded).findElement(By.className("to-send")).getText()).isEqualTo("0 B");
        });
        assertThat(browser.findElements(By.tagName("img"))).as("names are text, never markup").isEmpty();

        String screenshot = System.getProperty(SCREENSHOT);
        if (screenshot != null && !screenshot.isBlank()) {
          // A moment worth a picture: the uploads' burst inside a sparkline, the offline target's lag grown.
          waiting(watch).untilAsserted(() -> {
            assertThat(card(embedded).findElement(By.cssSelector(".spark .line")).getDomAttribute("points").split(" ")).hasSizeGreaterThan(12);
            assertThat(health(ssh)).isEqualTo("offline");
          });
          Path png = Path.of(screenshot);
          Files.createDirectories(png.toAbsolutePath().getParent());
          Files.write(png, browser.getScreenshotAs(OutputType.BYTES));
        }
        assertFitsAPhone();
        assertThat(pageErrors()).as("errors in the browser console").isEmpty();
      }
    }
  }

  @Test
  void aTokenInTheAddressReachesApiAndStreamAndThePageComesBackWithARestartedWatch() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "a\n");
    String target = receiver.target(receiver.location(tmp, "token").remotePath());
    String[] http = {"--http", "127.0.0.1:" + freePort(), "--http-token", "s3cret&=?"};
    String page;
    try (WatchRun watch = watch(src, List.of(target), List.of(receiver), http)) {
      page = watch.dashboardUrl() + "?token=s3cret%26%3D%3F";
      browser.get(page);
      waiting(watch).untilAsserted(() -> {
        assertThat(health(target)).isEqualTo("in-sync");
        assertThat(counter(target, "files")).isEqualTo(1);
        assertThat(connection()).isEqualTo("live");
        assertThat(feedItem("file.uploaded", target, "a.txt")).as("the replayed events").isNotNull();
      });
      assertThat(pageErrors()).isEmpty();
    }

    await().atMost(DEADLINE).untilAsserted(() -> {
      assertThat(connection()).isIn("reconnecting", "disconnected");
      assertThat(browser.findElement(By.id("overall")).getText()).startsWith("no answer");
    });

    Files.writeString(src.resolve("b.txt"), "b\n");
    try (WatchRun again = watch(src, List.of(target), List.of(receiver), http)) {
      assertThat(browser.getCurrentUrl()).isEqualTo(page);
      waiting(again).untilAsserted(() -> {
        assertThat(connection()).isEqualTo("live");
        assertThat(feedItem("file.uploaded", target, "b.txt")).as("events of the new watch").isNotNull();
        assertThat(counter(target, "files")).as("the new watch's count").isEqualTo(1);
        assertThat(browser.findElement(By.id("overall")).getText()).isEqualTo("in sync");
      });
    }
  }

  /** As narrow as a phone, the page (long target names and all) fits without sideways scrolling. */
  private static void assertFitsAPhone() {
    Dimension desktop = browser.manage().window().getSize();
    browser.manage().window().setSize(new Dimension(390, 844));
    try {
      await().atMost(DEADLINE).untilAsserted(() -> {
        assertThat(((Number) browser.executeScript("return window.innerWidth")).intValue()).isLessThanOrEqualTo(390);
        assertThat(((Number) browser.executeScript(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue())
            .as("sideways overflow in px").isLessThanOrEqualTo(0);
      });
    } finally {
      browser.manage().window().setSize(desktop);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String connection() {
    return browser.findElement(By.id("conn")).getDomAttribute("data-state");
  }

  /** A watch of {@code targets} with its dashboard on a free port, or where {@code http} says. */
  private WatchRun watch(Path src, List<String> targets, List<TestServer> servers, String... http) {
    List<String> extra = new ArrayList<>(List.of("--status", "never"));
    extra.addAll(http.length > 0 ? List.of(http) : List.of("--http", "127.0.0.1:0"));
    return WatchRun.start(WatchRun.args(src, tmp.resolve("state"), targets, servers, extra.toArray(String[]::new)),
        targets.size());
  }

  private static ConditionFactory waiting(WatchRun watch) {
    return await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
        .ignoreException(StaleElementReferenceException.class)
        .alias("dashboard of " + watch.dashboardUrl());
  }

  private static WebElement card(String target) {
    return browser.findElements(By.cssSelector("#targets .card")).stream()
        .filter(c -> target.equals(c.getDomAttribute("data-target")))
        .findFirst().orElseThrow(() -> new AssertionError("no card for " + target));
  }

  private static String health(String target) {
    return card(target).getDomAttribute("data-health");
  }

  /** A number on a card, as shown (digits only, so "1,024" counts). */
  private static long counter(String target, String name) {
    String text = card(target).findElement(By.className(name)).getText().replaceAll("\\D", "");
    assertThat(text).as("%s of %s", name, target).isNotEmpty();
    return Long.parseLong(text);
  }

  /** The newest feed item of an event for a target (and path, unless null), or null. */
  private static WebElement feedItem(String event, String target, String path) {
    return browser.findElements(By.cssSelector("#feed li")).stream()
        .filter(li -> event.equals(li.getDomAttribute("data-event")) && target.equals(li.getDomAttribute("data-target"))
            && (path == null || path.equals(li.getDomAttribute("data-path"))))
        .findFirst().orElse(null);
  }

  /** Console errors of the page, but for the favicon the server does not have. */
  private static List<String> pageErrors() {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .filter(m -> !m.contains("favicon.ico"))
        .toList();
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(7).nextBytes(b);
    return b;
  }
}
