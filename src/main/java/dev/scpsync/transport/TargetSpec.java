package dev.scpsync.transport;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a remote tree lives, as the user wrote it: {@code [user@]host[:port]:/path} (scp style,
 * with an optional port between host and path), or {@code sftp://[user@]host[:port]/path} and
 * {@code scp://...}. IPv6 literals go in brackets: {@code [::1]:2222:/srv}.
 *
 * <p>The host may be an alias from {@code ~/.ssh/config}; resolving HostName, Port, User and the
 * rest happens at connect time. A URI path is absolute ({@code sftp://h/srv} is {@code /srv});
 * {@code sftp://h/~/dir} is relative to the login directory, as is a scp-style path without a
 * leading slash.
 *
 * @param user login name, or {@code null} to use the config or the local user name
 * @param host host name, address or config alias
 * @param port port, or {@code -1} to use the config or 22
 * @param path the remote root; "" means the login directory
 * @param protocol the protocol the spec insists on ({@link Protocol#AUTO} when it does not)
 */
public record TargetSpec(String user, String host, int port, String path, Protocol protocol) {

  private static final Pattern URI =
      Pattern.compile("(?<scheme>sftp|scp)://(?:(?<user>[^@/]+)@)?(?<host>\\[[^\\]]+\\]|[^:/\\[\\]]+)(?::(?<port>\\d+))?(?<path>/.*)?");
  private static final Pattern SCP_STYLE =
      Pattern.compile("(?:(?<user>[^@/:]+)@)?(?<host>\\[[^\\]]+\\]|[^:/\\[\\]@]+):(?:(?<port>\\d{1,5}):)?(?<path>.*)", Pattern.DOTALL);

  /** Whether an argument names a remote location rather than a local path. */
  public static boolean looksRemote(String arg) {
    if (arg.startsWith("sftp://") || arg.startsWith("scp://")) {
      return true;
    }
    // As scp does: a colon before any slash makes it remote. "./a:b" and "/x:y" stay local.
    int colon = arg.indexOf(':');
    int slash = arg.indexOf('/');
    if (arg.startsWith("[")) {
      int close = arg.indexOf(']');
      return close > 0 && arg.length() > close + 1 && arg.charAt(close + 1) == ':';
    }
    return colon > 0 && (slash < 0 || colon < slash);
  }

  /**
   * Parses a target spec.
   *
   * @throws IllegalArgumentException with a one-line reason when the spec is malformed
   */
  public static TargetSpec parse(String spec) {
    try {
      return parseStrict(spec);
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      throw new IllegalArgumentException(m.startsWith("malformed target") || m.startsWith("empty target") ? m
          : "malformed target '" + spec + "': " + m, e);
    }
  }

  private static TargetSpec parseStrict(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("empty target; expected [user@]host[:port]:/path or sftp://host/path");
    }
    if (spec.indexOf('\n') >= 0 || spec.indexOf('\r') >= 0 || spec.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("target contains a newline or NUL character");
    }
    Matcher m = URI.matcher(spec);
    if (spec.contains("://")) {
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "malformed target URI '" + spec + "'; expected sftp://[user@]host[:port]/path or scp://...");
      }
      String rawPath = m.group("path") == null ? "" : m.group("path");
      String path;
      if (rawPath.isEmpty() || rawPath.equals("/~") || rawPath.equals("/~/")) {
        path = rawPath.isEmpty() ? "/" : "";
      } else if (rawPath.startsWith("/~/")) {
        path = rawPath.substring(3);
      } else {
        path = rawPath;
      }
      Protocol protocol = m.group("scheme").equals("sftp") ? Protocol.SFTP : Protocol.SCP;
      return new TargetSpec(m.group("user"), host(m.group("host")), port(m.group("port"), spec), trimSlash(path), protocol);
    }
    m = SCP_STYLE.matcher(spec);
    if (!looksRemote(spec) || !m.matches()) {
      throw new IllegalArgumentException(
          "malformed target '" + spec + "'; expected [user@]host[:port]:/path or sftp://[user@]host[:port]/path");
    }
    return new TargetSpec(m.group("user"), host(m.group("host")), port(m.group("port"), spec), trimSlash(m.group("path")), Protocol.AUTO);
  }

  private static String host(String raw) {
    String host = raw.startsWith("[") ? raw.substring(1, raw.length() - 1) : raw;
    if (host.isEmpty()) {
      throw new IllegalArgumentException("target has an empty host name");
    }
    if (host.startsWith("-")) {
      throw new IllegalArgumentException("host name must not start with '-': " + host);
    }
    return host;
  }

  private static int port(String raw, String spec) {
    if (raw == null) {
      return -1;
    }
    int port = Integer.parseInt(raw);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + raw + " out of range 1-65535");
    }
    return port;
  }

  private static String trimSlash(String path) {
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  /** The user, if the spec gave one. */
  public Optional<String> userName() {
    return Optional.ofNullable(user);
  }

  /**
   * {@code host[:port]:path} as it appears in a remote's description after the user name (the
   * login directory as {@code ~}); sync-state keys end with it.
   */
  public String location() {
    return host + (port > 0 ? ":" + port : "") + ":" + (path.isEmpty() ? "~" : path);
  }

  /** A display form: {@code sftp://user@host:port/path} with the parts that are known. */
  public String display() {
    StringBuilder sb = new StringBuilder();
    if (user != null) {
      sb.append(user).append('@');
    }
    sb.append(host.contains(":") ? "[" + host + "]" : host);
    if (port > 0) {
      sb.append(':').append(port);
    }
    sb.append(':').append(path);
    return sb.toString();
  }
}
