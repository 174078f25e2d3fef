package dev.scpsync.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver's audit log, driven by OpenSSH's own sftp and scp: one JSON line per session and
 * per file operation, with who, from where, which key, which path and how many bytes.
 */
class AuditLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  ReceiverFixture fixture;

  @BeforeEach
  void start() throws Exception {
    fixture = ReceiverFixture.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private List<JsonNode> lines() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("audit.jsonl"))) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  private static JsonNode find(List<JsonNode> lines, String event, String path) {
    return lines.stream().filter(l -> l.path("event").asText().equals(event) && l.path("path").asText().equals(path))
        .findFirst().orElseThrow(() -> new AssertionError("no " + event + " of " + path + " in " + lines));
  }

  @Test
  void sessionsAndEveryFileOperationAreOneJsonLineEach() throws Exception {
    Path local = Files.writeString(dir.resolve("report.txt"), "twelve bytes");
    fixture.sftp("mkdir /in", "put " + local + " /in/report.tmp", "rename /in/report.tmp /in/report.txt",
        "chmod 600 /in/report.txt", "rm /in/report.txt", "rmdir /in").requireSuccess();
    fixture.scp("-O", local.toString(), fixture.remote("/by-scp.txt")).requireSuccess();

    await().atMost(Duration.ofSeconds(10)).until(() -> lines().stream()
        .filter(l -> l.path("event").asText().equals("session.closed")).count() == 2);
    List<JsonNode> lines = lines();
    JsonNode opened = lines.stream().filter(l -> l.path("event").asText().equals("session.opened")).findFirst().orElseThrow();
    assertThat(opened.path("user").asText()).isEqualTo(ReceiverFixture.USER);
    String fingerprint = OpenSsh.run(dir, List.of(OpenSsh.SSH_KEYGEN.toString(), "-lf", fixture.userKey + ".pub"))
        .requireSuccess().stdout().split(" ")[1];
    assertThat(opened.path("key").asText()).isEqualTo(fingerprint);
    assertThat(opened.path("remote").asText()).contains("127.0.0.1");
    assertThat(opened.path("ts").asText()).endsWith("Z");

    assertThat(find(lines, "mkdir", "/in").has("error")).isFalse();
    JsonNode write = find(lines, "write", "/in/report.tmp");
    assertThat(write.path("bytes").asLong()).isEqualTo(12);
    assertThat(write.path("protocol").asText()).isEqualTo("sftp");
    assertThat(find(lines, "rename", "/in/report.txt").path("from").asText()).isEqualTo("/in/report.tmp");
    assertThat(find(lines, "setstat", "/in/report.txt").path("attributes").asText()).contains("permissions");
    find(lines, "delete", "/in/report.txt");
    find(lines, "delete", "/in");
    JsonNode scpWrite = find(lines, "write", "/by-scp.txt");
    assertThat(scpWrite.path("bytes").asLong()).isEqualTo(12);
    assertThat(scpWrite.path("protocol").asText()).isEqualTo("scp");
    String publicKeyBase64 = Files.readString(Path.of(fixture.userKey + ".pub")).split(" ")[1];
    assertThat(Files.readString(dir.resolve("audit.jsonl"))).doesNotContain(publicKeyBase64).doesNotContain("PRIVATE");
  }

  @Test
  void aRefusedKeyAndARefusedCommandAreLogged() throws Exception {
    Path stranger = dir.resolve("stranger");
    OpenSsh.generateUserKey(stranger);
    var run = fixture.sftpAs(stranger, "mallory", "ls /");
    assertThat(run.exitCode()).isNotZero();
    var shell = fixture.ssh(List.of(), "cat /etc/passwd");
    assertThat(shell.exitCode()).isNotZero();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      List<JsonNode> lines = lines();
      JsonNode refused = lines.stream().filter(l -> l.path("event").asText().equals("auth.refused")).findFirst().orElseThrow();
      assertThat(refused.path("user").asText()).isEqualTo("mallory");
      assertThat(refused.path("key").asText()).startsWith("SHA256:");
      assertThat(lines).anyMatch(l -> l.path("event").asText().equals("exec.refused")
          && l.path("command").asText().equals("cat /etc/passwd"));
    });
  }
}
