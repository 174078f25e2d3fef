package dev.scpsync.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import picocli.CommandLine.Option;

/** Where the status API and dashboard listen, and the token that guards them. */
final class HttpFlags {
  static final String DEFAULT = "127.0.0.1:8730";

  @Option(names = "--http", paramLabel = "ADDR:PORT",
      description = "Serve the dashboard, /api/status, /api/events and /metrics here (default: " + DEFAULT + "; port 0 picks a free one).")
  String http;

  @Option(names = "--no-http", description = "No HTTP server.")
  boolean noHttp;

  @Option(names = "--http-token", paramLabel = "TOKEN", defaultValue = "${env:SCPSYNC_HTTP_TOKEN}",
      description = "Require this bearer token on every route (default: $SCPSYNC_HTTP_TOKEN); needed to listen beyond loopback.")
  String token;

  /** Whether the address was chosen by the user (then failing to bind it is an error). */
  boolean explicit() {
    return http != null;
  }

  /** The address to bind, or null for none; validates the token rule. */
  InetSocketAddress address() {
    if (noHttp) {
      if (http != null) {
        throw new ErrorReporter.UsageException("--http and --no-http contradict each other");
      }
      return null;
    }
    String spec = http == null ? DEFAULT : http;
    int colon = spec.lastIndexOf(':');
    if (colon <= 0) {
      throw new ErrorReporter.UsageException("--http takes ADDR:PORT (e.g. 127.0.0.1:8730), not '" + spec + "'");
    }
    String host = spec.substring(0, colon).replaceAll("^\\[|\\]$", "");
    int port;
    try {
      port = Integer.parseInt(spec.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw new ErrorReporter.UsageException("--http: '" + spec.substring(colon + 1) + "' is not a port");
    }
    InetAddress addr;
    try {
      addr = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new ErrorReporter.UsageException("--http: unknown address '" + host + "'");
    }
    if (!addr.isLoopbackAddress() && (token == null || token.isBlank())) {
      throw new ErrorReporter.UsageException("--http " + spec
          + " is reachable beyond this machine: set --http-token (or SCPSYNC_HTTP_TOKEN) so that every route needs it");
    }
    return new InetSocketAddress(addr, port);
  }

  String token() {
    return token == null || token.isBlank() ? null : token;
  }
}
