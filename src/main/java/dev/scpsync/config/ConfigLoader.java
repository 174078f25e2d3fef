package dev.scpsync.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.scpsync.config.Config.PlacementConfig;
import dev.scpsync.config.Config.TargetConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and validates {@code scpsync.yaml} once. Every error names {@code file:line:column}, the
 * key, and what is allowed.
 *
 * <p>Jackson reads the file into {@link RawConfig} (refusing unknown keys and values of the wrong
 * shape, with their location); the checks that need more than a type (a duplicate target name, a
 * target that does not parse, more replicas than targets) are located with a map from each value's
 * JSON pointer to where the parser met it — Jackson's tree model drops locations, so that map is
 * built here from one streaming pass.
 */
public final class ConfigLoader {
  private static final YAMLMapper MAPPER = YAMLMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
      .build();
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private final Path file;
  private final Function<String, String> targetSyntax;
  private Map<String, JsonLocation> locations;

  /**
   * @param targetSyntax says what is wrong with a target spec, or null when it parses (the spec
   *     syntax belongs to the transport, which this package may not import)
   */
  private ConfigLoader(Path file, Function<String, String> targetSyntax) {
    this.file = file;
    this.targetSyntax = targetSyntax;
  }

  /** Loads {@code file}; no connection is made. */
  public static Config load(Path file, Function<String, String> targetSyntax) throws ConfigException {
    return new ConfigLoader(file, targetSyntax).load();
  }

  private Config load() throws ConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    if (text.isBlank()) {
      throw at((JsonLocation) null, "the file is empty; it needs at least 'source' and 'targets'");
    }
    RawConfig raw;
    try {
      locations = locate(text);
      raw = MAPPER.readValue(text, RawConfig.class);
    } catch (UnrecognizedPropertyException e) {
      Set<String> allowed = new TreeSet<>();
      e.getKnownPropertyIds().forEach(id -> allowed.add(String.valueOf(id)));
      JsonLocation key = locations.get("key:" + pointer(e));
      throw at(key != null ? key : e.getLocation(), "unknown key '" + e.getPropertyName() + "'" + where(e)
          + "; allowed: " + String.join(", ", allowed));
    } catch (JsonMappingException e) {
      throw at(e.getLocation(), "bad value" + where(e) + ": " + e.getOriginalMessage().replaceAll("\\s+", " ")
          .replaceAll(" \\(for .*$", "").replaceAll(" \\(but could if .*$", "")
          .replaceAll("dev\\.scpsync\\.config\\.\\S+", "a section"));
    } catch (JsonProcessingException e) {
      throw at(e.getLocation(), "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    if (raw == null) {
      throw at((JsonLocation) null, "the file is empty; it needs at least 'source' and 'targets'");
    }
    return validate(raw);
  }

  private static String pointer(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> "/" + (r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex())))
        .collect(Collectors.joining());
  }

  private static String where(JsonMappingException e) {
    String path = e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
    int last = path.lastIndexOf('.');
    if (e instanceof UnrecognizedPropertyException) {
      return last < 0 ? "" : " in " + path.substring(0, last);
    }
    return path.isEmpty() ? "" : " for " + path;
  }

  private Config validate(RawConfig raw) throws ConfigException {
    Path base = file.toAbsolutePath().getParent();
    if (raw.source() == null) {
      throw at("/", "'source' is missing: the local directory to mirror");
    }
    Path source = resolve(base, raw.source());
    if (raw.targets() == null || raw.targets().isEmpty()) {
      throw at("/", "'targets' is missing or empty: list at least one {name, target}");
    }
    List<TargetConfig> targets = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < raw.targets().size(); i++) {
      RawConfig.RawTarget t = raw.targets().get(i);
      String at = "/targets/" + i;
      if (t == null || t.target() == null) {
        throw at(at, "targets[" + i + "] needs 'target' ([user@]host[:port]:/path, sftp://... or scp://...)");
      }
      String name = t.name() == null ? "target-" + (i + 1) : t.name();
      if (!NAME.matcher(name).matches()) {
        throw at(at + "/name", "targets[" + i + "].name '" + name + "': use letters, digits, '.', '_' and '-' (up to 63)");
      }
      if (!names.add(name)) {
        throw at(at + "/name", "targets[" + i + "].name '" + name + "' is used twice; names must be unique");
      }
      String problem = targetSyntax.apply(t.target());
      if (problem != null) {
        throw at(at + "/target", "targets[" + i + "].target: " + problem);
      }
      if (t.afterSync() != null && t.afterSync().isBlank()) {
        throw at(at + "/after-sync", "targets[" + i + "].after-sync is empty; leave it out for none");
      }
      targets.add(new TargetConfig(name, t.target(), oneOf(at + "/protocol", "targets[" + i + "].protocol",
          t.protocol(), "auto", "auto", "sftp", "scp"), t.afterSync(),
          parallel(at + "/parallel", "targets[" + i + "].parallel", t.parallel())));
    }
    PlacementConfig placement = placement(raw.placement(), targets.size());
    RawConfig.RawTransfer transfer = raw.transfer() != null ? raw.transfer()
        : new RawConfig.RawTransfer(null, null, null, null, null, null, null, null, null, null);
    RawConfig.RawWatch watch = raw.watch() != null ? raw.watch() : new RawConfig.RawWatch(null, null);
    RawConfig.RawMonitor monitor = raw.monitor() != null ? raw.monitor() : new RawConfig.RawMonitor(null, null, null, null);
    RawConfig.RawSsh ssh = raw.ssh() != null ? raw.ssh() : new RawConfig.RawSsh(null, null, null, null, null);
    RawConfig.RawHooks hooks = raw.hooks() != null ? raw.hooks() : new RawConfig.RawHooks(null, null);
    if (hooks.onSynced() != null && (hooks.onSynced().isEmpty() || hooks.onSynced().getFirst().isBlank())) {
      throw at("/hooks/on-synced", "hooks.on-synced: a command as a list, program first, e.g. [/usr/local/bin/notify, --quiet]");
    }
    String maxDelete = transfer.maxDelete();
    if (maxDelete != null && !maxDelete.matches("\\d+%?")) {
      throw at("/transfer/max-delete", "transfer.max-delete '" + maxDelete + "': a count (100) or a percentage (5%)");
    }
    String http = monitor.http() == null ? "127.0.0.1:8730" : monitor.http().equals("off") ? null : monitor.http();
    if (http != null && !http.matches(".+:\\d{1,5}")) {
      throw at("/monitor/http", "monitor.http '" + http + "': ADDR:PORT (e.g. 127.0.0.1:8730) or off");
    }
    return new Config(file.toAbsolutePath(), source, orEmpty(raw.excludes()),
        raw.excludeFrom() == null ? null : resolve(base, raw.excludeFrom()),
        raw.stateDir() == null ? null : resolve(base, raw.stateDir()), Boolean.TRUE.equals(raw.delete()), placement,
        oneOf("/transfer/protocol", "transfer.protocol", transfer.protocol(), "auto", "auto", "sftp", "scp"),
        duration("/transfer/verify-every", "transfer.verify-every", transfer.verifyEvery(), Duration.ofMinutes(10)),
        maxDelete, oneOf("/transfer/on-drift", "transfer.on-drift", transfer.onDrift(), "skip", "skip", "overwrite", "backup"),
        Boolean.TRUE.equals(transfer.allowEmptySource()),
        size("/transfer/chunk-size", "transfer.chunk-size", transfer.chunkSize(), 8L << 20, 64L << 10),
        size("/transfer/bwlimit", "transfer.bwlimit", transfer.bwlimit(), 0, 0),
        oneOf("/transfer/compression", "transfer.compression", onOff(transfer.compression()), "off", "off", "on", "auto"),
        parallel("/transfer/parallel", "transfer.parallel", transfer.parallel()),
        !Boolean.FALSE.equals(transfer.delta()),
        duration("/watch/debounce", "watch.debounce", watch.debounce(), Duration.ofMillis(20)),
        duration("/watch/settle", "watch.settle", watch.settle(), Duration.ofMillis(500)),
        http, monitor.httpToken(), oneOf("/monitor/log-format", "monitor.log-format", monitor.logFormat(), "text", "text", "json"),
        monitor.logFile() == null ? null : resolve(base, monitor.logFile()),
        orEmpty(ssh.knownHosts()).stream().map(p -> resolve(base, p)).toList(),
        orEmpty(ssh.identities()).stream().map(p -> resolve(base, p)).toList(),
        Boolean.TRUE.equals(ssh.acceptNew()), ssh.config() == null ? null : resolve(base, ssh.config()),
        !Boolean.FALSE.equals(ssh.agent()), orEmpty(hooks.onSynced()),
        duration("/hooks/debounce", "hooks.debounce", hooks.debounce(), Duration.ofSeconds(1)), targets);
  }

  private PlacementConfig placement(RawConfig.RawPlacement raw, int targets) throws ConfigException {
    if (raw == null) {
      return new PlacementConfig(PlacementConfig.Mode.MIRROR, targets, null);
    }
    String mode = oneOf("/placement/mode", "placement.mode", raw.mode(), "mirror", "mirror", "shard", "balance");
    return switch (mode) {
      case "shard" -> {
        int replicas = raw.replicas() == null ? 1 : raw.replicas();
        if (replicas < 1 || replicas > targets) {
          throw at("/placement/replicas", "placement.replicas " + replicas + ": between 1 and the number of targets ("
              + targets + ")");
        }
        yield new PlacementConfig(PlacementConfig.Mode.SHARD, replicas, null);
      }
      case "balance" -> {
        if (raw.replicas() != null) {
          throw at("/placement/replicas", "placement.replicas applies to mode shard only (balance sends each file once)");
        }
        yield new PlacementConfig(PlacementConfig.Mode.BALANCE, 1, oneOf("/placement/strategy", "placement.strategy",
            raw.strategy(), "least-loaded", "least-loaded", "round-robin"));
      }
      default -> {
        if (raw.replicas() != null || raw.strategy() != null) {
          throw at("/placement", "placement.replicas and placement.strategy apply to modes shard and balance, not mirror");
        }
        yield new PlacementConfig(PlacementConfig.Mode.MIRROR, targets, null);
      }
    };
  }

  /** YAML's booleans for an on/off key: {@code true} is {@code on}, {@code false} is {@code off}. */
  private static String onOff(String value) {
    return "true".equalsIgnoreCase(value) ? "on" : "false".equalsIgnoreCase(value) ? "off" : value;
  }

  private String oneOf(String pointer, String key, String value, String fallback, String... allowed) throws ConfigException {
    if (value == null) {
      return fallback;
    }
    String v = value.toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(v)) {
        return a;
      }
    }
    throw at(pointer, key + " '" + value + "': allowed: " + String.join(", ", allowed));
  }

  private Duration duration(String pointer, String key, String value, Duration fallback) throws ConfigException {
    if (value == null) {
      return fallback;
    }
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw at(pointer, key + ": " + e.getMessage());
    }
  }

  /** A number of channels, 1 to {@link Config#MAX_PARALLEL}; 0 when left out. */
  private int parallel(String pointer, String key, Integer value) throws ConfigException {
    if (value == null) {
      return 0;
    }
    if (value < 1 || value > Config.MAX_PARALLEL) {
      throw at(pointer, key + " " + value + ": SSH channels at once per target, 1 to " + Config.MAX_PARALLEL);
    }
    return value;
  }

  private long size(String pointer, String key, String value, long fallback, long min) throws ConfigException {
    if (value == null) {
      return fallback;
    }
    long n;
    try {
      n = ByteSizes.parse(value);
    } catch (IllegalArgumentException e) {
      throw at(pointer, key + ": " + e.getMessage());
    }
    if (n < min) {
      throw at(pointer, key + " '" + value + "': at least " + (min >> 10) + "K");
    }
    return n;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static Path resolve(Path base, String path) {
    String expanded = path.equals("~") || path.startsWith("~/")
        ? System.getProperty("user.home") + path.substring(1) : path;
    return base.resolve(expanded).normalize();
  }

  private ConfigException at(String pointer, String message) {
    JsonLocation loc = locations == null ? null : locations.get(pointer);
    for (String p = pointer; loc == null && p.lastIndexOf('/') > 0; ) {
      p = p.substring(0, p.lastIndexOf('/'));
      loc = locations.get(p);
    }
    return at(loc, message);
  }

  private ConfigException at(JsonLocation loc, String message) {
    String where = loc == null || loc.getLineNr() < 1 ? file + ":1:1" : file + ":" + loc.getLineNr() + ":" + loc.getColumnNr();
    return new ConfigException(where + ": " + message);
  }

  /** Where each value (by JSON pointer) and each key ({@code "key:" + pointer}) starts in the file. */
  private static Map<String, JsonLocation> locate(String text) throws IOException {
    Map<String, JsonLocation> map = new HashMap<>();
    try (JsonParser p = new YAMLFactory().createParser(text)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        String pointer = p.getParsingContext().pathAsPointer().toString();
        if (t == JsonToken.FIELD_NAME) {
          map.putIfAbsent("key:" + pointer, p.currentTokenLocation());
          continue;
        }
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY || t.isScalarValue()) {
          map.putIfAbsent(pointer.isEmpty() ? "/" : pointer, p.currentTokenLocation());
        }
      }
    }
    return map;
  }
}
