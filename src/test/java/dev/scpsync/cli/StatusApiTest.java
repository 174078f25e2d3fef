package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status API of a running watch, against a real receiver: {@code /api/status}, {@code
 * /metrics} (names and labels present and moving after a sync), SSE delivery of events, the token
 * rule, {@code scpsync status}, and JSON logs where every line parses.
 */
class StatusApiTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path shared;
  private static TestServer server;

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startServer() throws Exception {
    server = TestServer.start(ServerKind.EMBEDDED_RECEIVER, shared.resolve("receiver"));
  }

  @AfterAll
  static void stopServer() throws IOException {
    server.close();
  }

  /** A watch with its HTTP server on a free loopback port, and that server's URL. */
  private record Watch(WatchRun run, URI url) implements AutoCloseable {
    HttpResponse<String> get(String path, String... headers) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(10));
      if (headers.length > 0) {
        b.headers(headers);
      }
      return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
      run.close();
    }
  }

  private Watch watch(Path src, TestServer.Location remote, String... extra) {
    WatchRun run = WatchRun.start(server, src, remote.remotePath(), tmp.resolve("state"),
        CliRun.args("--http", "127.0.0.1:0", List.of(extra)).toArray(String[]::new));
    return new Watch(run, run.dashboardUrl());
  }

  @Test
  void statusMetricsAndTheEventStreamFollowASync() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    TestServer.Location remote = server.location(tmp, "dest");
    try (Watch watch = watch(src, remote)) {
      List<String> sse = new CopyOnWriteArrayList<>();
      HttpRequest events = HttpRequest.newBuilder(watch.url.resolve("/api/events")).build();
      var stream = http.sendAsync(events, HttpResponse.BodyHandlers.ofLines())
          .thenAccept(r -> r.body().forEach(sse::add));
      await().atMost(DEADLINE).until(() -> sse.stream().anyMatch(l -> l.equals("event: sync.reconciled")));

      Files.writeString(src.resolve("hello.txt"), "hello\n");
      await().atMost(DEADLINE).until(() -> sse.stream().anyMatch(l -> l.startsWith("data:") && l.contains("\"file.uploaded\"")
          && l.contains("\"path\":\"hello.txt\"")));
      String uploaded = sse.stream().filter(l -> l.contains("\"file.uploaded\"")).findFirst().orElseThrow();
      JsonNode event = JSON.readTree(uploaded.substring("data:".length()));
      assertThat(event.path("bytes").asLong()).isEqualTo(6);
      assertThat(event.path("target").asText()).isEqualTo(server.target(remote.remotePath()));
      assertThat(event.path("ts").asText()).isNotEmpty();
      await().atMost(DEADLINE).until(() -> sse.contains("event: sync.converged"));

      await().atMost(DEADLINE).untilAsserted(() -> {
        JsonNode status = JSON.readTree(watch.get("/api/status").body());
        assertThat(status.path("in_sync").asBoolean()).isTrue();
        JsonNode target = status.path("targets").get(0);
        assertThat(target.path("health").asText()).isEqualTo("in-sync");
        assertThat(target.path("files").asLong()).isEqualTo(1);
        assertThat(target.path("bytes").asLong()).isEqualTo(6);
        assertThat(target.path("pending").asInt()).isZero();
        assertThat(target.has("lag_seconds") && target.has("throughput_bps") && target.has("last_error")).isTrue();
      });

      String metrics = watch.get("/metrics").body();
      String label = "target=\"" + server.target(remote.remotePath()) + "\"";
      assertThat(metrics)
          .contains("scpsync_files_transferred_total{" + label + "} 1.0")
          .contains("scpsync_bytes_transferred_total{" + label + "} 6.0")
          .contains("scpsync_target_up{" + label + "} 1.0")
          .contains("scpsync_queue_paths{" + label + "}")
          .contains("scpsync_lag_seconds{" + label + "}")
          .contains("scpsync_propagation_seconds_bucket{" + label)
          .contains("jvm_memory_used_bytes");
      Files.writeString(src.resolve("second.txt"), "2\n");
      await().atMost(DEADLINE).until(() -> watch.get("/metrics").body()
          .contains("scpsync_files_transferred_total{" + label + "} 2.0"));

      CliRun status = CliRun.of("status", "--url", watch.url.toString());
      assertThat(status.exitCode()).as(status.toString()).isZero();
      assertThat(status.out()).contains(server.target(remote.remotePath())).contains("in-sync").contains("all targets in sync");
      assertThat(watch.get("/").statusCode()).isEqualTo(200);
      assertThat(watch.get("/nothing").statusCode()).isEqualTo(404);
      stream.cancel(true);
    }
  }

  @Test
  void pendingBytesAreWhatAnOfflineTargetLacksAndGoBackToZeroOnceItCaughtUp() throws Exception {
    try (TestServer own = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("own-sftp"))) {
      Path src = Files.createDirectories(tmp.resolve("src"));
      Files.writeString(src.resolve("before.txt"), "there at the start\n");
      TestServer.Location remote = own.location(tmp, "dest");
      String label = "target=\"" + own.target(remote.remotePath()) + "\"";
      WatchRun run = WatchRun.start(own, src, remote.remotePath(), tmp.resolve("state"), "--http", "127.0.0.1:0");
      try (Watch watch = new Watch(run, run.dashboardUrl())) {
        await().atMost(DEADLINE).untilAsserted(() -> {
          JsonNode target = JSON.readTree(watch.get("/api/status").body()).path("targets").get(0);
          assertThat(target.path("health").asText()).isEqualTo("in-sync");
          assertThat(target.path("pending_bytes").isNumber()).as(target.toString()).isTrue();
          assertThat(target.path("pending_bytes").asLong()).isZero();
        });

        own.openssh().stop();
        await().atMost(DEADLINE).until(() -> JSON.readTree(watch.get("/api/status").body())
            .path("targets").get(0).path("health").asText().equals("offline"));
        Files.write(src.resolve("a.bin"), new byte[500]);
        Files.write(src.resolve("b.bin"), new byte[250_000]);
        Files.writeString(src.resolve("c.txt"), "abc");
        Files.delete(src.resolve("before.txt")); // pending, but no content to send
        await().atMost(DEADLINE).until(() -> JSON.readTree(watch.get("/api/status").body())
            .path("targets").get(0).path("pending").asInt() == 4);
        Files.write(src.resolve("a.bin"), new byte[1_000]); // counted once, at its new size
        long expected = 1_000 + 250_000 + 3;
        await().atMost(DEADLINE).untilAsserted(() -> {
          JsonNode target = JSON.readTree(watch.get("/api/status").body()).path("targets").get(0);
          assertThat(target.path("pending").asInt()).isEqualTo(4);
          assertThat(target.path("pending_bytes").asLong()).as(target.toString()).isEqualTo(expected);
          assertThat(watch.get("/metrics").body()).contains("scpsync_queue_bytes{" + label + "} " + expected + ".0");
        });
        CliRun status = CliRun.of("status", "--url", watch.url.toString());
        assertThat(status.out()).as(status.toString()).contains("TO SEND").contains("245.1 KiB");

        own.openssh().restart();
        await().atMost(DEADLINE).untilAsserted(() -> {
          JsonNode target = JSON.readTree(watch.get("/api/status").body()).path("targets").get(0);
          assertThat(target.path("health").asText()).isEqualTo("in-sync");
          assertThat(target.path("pending_bytes").asLong()).as(target.toString()).isZero();
          assertThat(watch.get("/metrics").body()).contains("scpsync_queue_bytes{" + label + "} 0.0");
        });
        assertThat(remote.onDisk().resolve("b.bin")).hasSize(250_000);
        assertThat(remote.onDisk().resolve("a.bin")).hasSize(1_000);
      }
    }
  }

  @Test
  void beyondLoopbackATokenIsRequiredAndCheckedOnEveryRoute() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    TestServer.Location remote = server.location(tmp, "dest");
    CliRun refused = CliRun.of(CliRun.args("watch", src, server.target(remote.remotePath()), server.cliOptions(),
        "--state-dir", tmp.resolve("state"), "--http", "0.0.0.0:0", "--http-token", ""));
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains("--http-token");

    try (Watch watch = watch(src, remote, "--http-token", "s3cret")) {
      for (String route : List.of("/", "/metrics", "/api/status", "/api/events")) {
        assertThat(watch.get(route).statusCode()).as(route + " without a token").isEqualTo(401);
        assertThat(watch.get(route, "Authorization", "Bearer wrong").statusCode()).as(route).isEqualTo(401);
      }
      assertThat(watch.get("/api/status", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
      assertThat(watch.get("/metrics?token=s3cret").statusCode()).isEqualTo(200);
      assertThat(CliRun.of("status", "--url", watch.url.toString()).exitCode()).isEqualTo(ExitCodes.CONNECT);
      assertThat(CliRun.of("status", "--url", watch.url.toString(), "--http-token", "s3cret").exitCode()).isZero();
    }
  }

  @Test
  void statusSaysWhenNothingAnswers() throws Exception {
    CliRun run = CliRun.of("status", "--url", "http://127.0.0.1:9/");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.CONNECT);
    assertThat(run.err()).contains("no scpsync answered");
  }

  @Test
  void everyLineOfAJsonLogParsesAndCarriesTheDocumentedFields() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "abc\n");
    TestServer.Location remote = server.location(tmp, "dest");
    String java = ProcessHandle.current().info().command().orElseThrow();
    // As the jar's manifest does: without it the JVM warns on stderr about sqlite-jdbc's native code.
    List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
        System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(CliRun.args("watch", src, server.target(remote.remotePath()), server.cliOptions(),
        "--state-dir", tmp.resolve("state"), "--no-http", "--log-format", "json", "--exit-after", "3s"));
    Path err = tmp.resolve("child.err");
    Process child = new ProcessBuilder(command).redirectOutput(tmp.resolve("child.out").toFile())
        .redirectError(err.toFile()).start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> lines = Files.readAllLines(err);
    assertThat(child.exitValue()).as(String.join("\n", lines)).isZero();
    List<JsonNode> objects = new ArrayList<>();
    for (String line : lines) {
      objects.add(JSON.readTree(line)); // throws on any line that is not JSON
    }
    assertThat(objects).extracting(o -> o.path("event").asText())
        .contains("target.online", "sync.start", "file.uploaded", "sync.reconciled");
    JsonNode uploaded = objects.stream().filter(o -> o.path("event").asText().equals("file.uploaded")).findFirst().orElseThrow();
    assertThat(uploaded.path("path").asText()).isEqualTo("a.txt");
    assertThat(uploaded.path("bytes").asLong()).isEqualTo(4);
    assertThat(uploaded.path("target").asText()).isEqualTo(server.target(remote.remotePath()));
    assertThat(uploaded.path("level").asText()).isEqualTo("INFO");
    assertThat(uploaded.path("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    JsonNode reconciled = objects.stream().filter(o -> o.path("event").asText().equals("sync.reconciled")).findFirst().orElseThrow();
    assertThat(reconciled.has("duration_ms")).isTrue();
    assertThat(String.join("\n", lines)).doesNotContain("PRIVATE KEY");
  }

  @Test
  void aLogFileTakesTheEventsAndLeavesStderrAlone() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "abc\n");
    TestServer.Location remote = server.location(tmp, "dest");
    Path log = tmp.resolve("logs/scpsync.log");
    Files.createDirectories(log.getParent());
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
        System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(CliRun.args("watch", src, server.target(remote.remotePath()), server.cliOptions(),
        "--state-dir", tmp.resolve("state"), "--no-http", "--log-file", log, "--exit-after", "2s"));
    Path err = tmp.resolve("child.err");
    Process child = new ProcessBuilder(command).redirectOutput(tmp.resolve("child.out").toFile())
        .redirectError(err.toFile()).start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(Files.readString(err)).isZero();
    assertThat(Files.readString(err)).as("stderr").isEmpty();
    assertThat(Files.readString(log)).contains("file.uploaded").contains("event=\"file.uploaded\"").contains("path=\"a.txt\"");

    CliRun badDir = CliRun.of(CliRun.args("watch", src, server.target(remote.remotePath()), server.cliOptions(),
        "--state-dir", tmp.resolve("state"), "--no-http", "--log-file", tmp.resolve("missing/x.log")));
    assertThat(badDir.exitCode()).isEqualTo(ExitCodes.USAGE);
    CliRun badFormat = CliRun.of(CliRun.args("watch", src, server.target(remote.remotePath()), server.cliOptions(),
        "--state-dir", tmp.resolve("state"), "--no-http", "--log-format", "xml"));
    assertThat(badFormat.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badFormat.err()).contains("text or json");
  }
}
