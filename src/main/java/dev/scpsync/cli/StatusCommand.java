package dev.scpsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scpsync.monitor.EventJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code scpsync status}: asks a running watch for its targets and prints them as a table. The
 * exit code is for scripts: 0 every target in sync, 1 some are not, 3 no instance answered.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show the targets of a running watch; exit 0 when all are in sync, 1 when not, 3 when it cannot be reached.")
final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--url", paramLabel = "URL", defaultValue = "http://" + HttpFlags.DEFAULT + "/",
      description = "Where the watch serves its status (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--http-token", paramLabel = "TOKEN", defaultValue = "${env:SCPSYNC_HTTP_TOKEN}",
      description = "Bearer token, when the watch requires one (default: $SCPSYNC_HTTP_TOKEN).")
  String token;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    URI base;
    try {
      base = URI.create(url.endsWith("/") ? url : url + "/");
    } catch (IllegalArgumentException e) {
      throw new ErrorReporter.UsageException("--url: " + e.getMessage());
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("api/status")).timeout(Duration.ofSeconds(5));
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response;
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      err.println("scpsync: error: no scpsync answered at " + base + ": " + ErrorReporter.oneLine(e));
      return ExitCodes.CONNECT;
    }
    if (response.statusCode() != 200) {
      err.println("scpsync: error: " + base + "api/status answered " + response.statusCode()
          + (response.statusCode() == 401 ? " (a token is required: --http-token)" : ""));
      return ExitCodes.CONNECT;
    }
    JsonNode status = EventJson.MAPPER.readTree(response.body());
    out.print(table(status));
    out.flush();
    return status.path("in_sync").asBoolean(false) ? ExitCodes.OK : ExitCodes.FAILED;
  }

  /**
   * One row per target: health, pending paths, bytes still to send ({@code ?} while not known),
   * lag, files, bytes, errors, last sync, last error.
   */
  static String table(JsonNode status) {
    StringBuilder b = new StringBuilder();
    String format = "%-40s %-10s %8s %10s %8s %8s %10s %7s  %s%n";
    b.append(String.format(format, "TARGET", "HEALTH", "PENDING", "TO SEND", "LAG", "FILES", "BYTES", "ERRORS",
        "LAST SYNC / LAST ERROR"));
    for (JsonNode t : status.path("targets")) {
      String last = t.path("last_sync").isNull() ? "-" : t.path("last_sync").asText();
      if (!t.path("last_error").isNull()) {
        last += " / " + t.path("last_error").asText();
      }
      JsonNode toSend = t.path("pending_bytes");
      b.append(String.format(format, t.path("target").asText(), t.path("health").asText(), t.path("pending").asInt(),
          toSend.isNumber() ? Sizes.bytes(toSend.asLong()) : "?",
          String.format("%.1fs", t.path("lag_seconds").asDouble()), t.path("files").asLong(),
          Sizes.bytes(t.path("bytes").asLong()), t.path("errors").asLong(), last));
    }
    b.append(status.path("in_sync").asBoolean(false) ? "all targets in sync\n" : "not all targets in sync\n");
    return b.toString();
  }
}
