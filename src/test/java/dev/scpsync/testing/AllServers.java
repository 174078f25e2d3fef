package dev.scpsync.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** One running server of every {@link ServerKind}, for test classes that run each scenario against all. */
public final class AllServers implements AutoCloseable {
  private final Map<ServerKind, TestServer> servers = new EnumMap<>(ServerKind.class);

  private AllServers() {}

  public static AllServers start(Path dir) throws IOException, InterruptedException {
    AllServers all = new AllServers();
    try {
      for (ServerKind kind : ServerKind.values()) {
        all.servers.put(kind, TestServer.start(kind, dir.resolve(kind.name())));
      }
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      all.close();
      throw e;
    }
    return all;
  }

  public TestServer get(ServerKind kind) {
    return servers.get(kind);
  }

  @Override
  public void close() throws IOException {
    for (TestServer s : servers.values()) {
      s.close();
    }
  }
}
