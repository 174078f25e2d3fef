package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scpsync.scan.ExcludeRules;
import dev.scpsync.scan.LocalScanner;
import dev.scpsync.state.StateStore;
import dev.scpsync.state.TargetState;
import dev.scpsync.testing.AllServers;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import dev.scpsync.transport.TempNames;
import dev.scpsync.tree.Entry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kills a push (a child JVM) with SIGKILL at several points against real servers, then runs it
 * again. At the kill: no final path at the destination holds partial content, and the state
 * claims nothing the destination lacks. After the re-run: the destination is the source, with no
 * temp file left, the state knows every path, and a further run sends nothing.
 *
 * <p>The destination is watched on disk (every server runs on this machine) to choose the kill
 * point, and after the kill the checks wait for the server to finish with the dead session: the
 * server carries out requests that were already on their way (over SCP, a few more renames of the
 * batch).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PushKillTest {
  /**
   * Per server kind, a source that a fresh JVM takes 3–6 s to push on a busy 2-core machine, so
   * that the kill points are far enough apart and the class stays near a minute. Measured here:
   * SFTP to OpenSSH about 400 small files a second; SCP about 40 (about 25 ms per 4–64 KiB file).
   */
  private static final Map<ServerKind, Shape> SHAPES = Map.of(
      ServerKind.OPENSSH_SFTP, new Shape(800, 30, 12 << 20),
      ServerKind.EMBEDDED_RECEIVER, new Shape(500, 20, 8 << 20),
      ServerKind.OPENSSH_SCP_ONLY, new Shape(100, 10, 8 << 20));
  /** Source files are old, so that any edit made by a test changes the mtime's whole seconds. */
  private static final Instant CREATED = Instant.parse("2024-03-01T12:00:00Z");
  private static final int SIGKILLED = 128 + 9;

  @TempDir static Path shared;
  private static AllServers servers;
  private static final Map<ServerKind, Path> sources = new EnumMap<>(ServerKind.class);

  @TempDir Path tmp;
  private Process child;

  @BeforeAll
  static void startServersAndWriteTheSource() throws Exception {
    servers = AllServers.start(shared);
    for (ServerKind kind : ServerKind.values()) {
      sources.put(kind, writeSource(shared.resolve("src-" + kind), SHAPES.get(kind), new Random(1)));
    }
  }

  @AfterEach
  void killTheChild() throws InterruptedException {
    if (child != null) {
      child.destroyForcibly();
      child.waitFor();
    }
  }

  @AfterAll
  static void stopServers() throws IOException {
    if (servers != null) {
      servers.close();
    }
  }

  /** Where in a push the kill lands, judged by what the destination holds (it is on this disk). */
  enum KillPoint {
    /** 150 ms after the start: the JVM is starting, scanning or connecting. */
    EARLY,
    /** A third of the files are at the destination, under their final or temporary names. */
    MID,
    /** 30% of the files are in place under their final names. */
    PART_IN_PLACE,
    /**
     * 85% of the files are in place under their final names. Over SCP that is during the final
     * renames, which run after every upload of the batch.
     */
    LATE;

    boolean reached(Landing at, int files) {
      return switch (this) {
        case EARLY -> true;
        case MID -> at.inPlace() + at.temps() >= files / 3;
        case PART_IN_PLACE -> at.inPlace() >= files * 3 / 10;
        case LATE -> at.inPlace() >= files * 85 / 100;
      };
    }
  }

  static Stream<Arguments> killPoints() {
    // At 150 ms the child JVM has not reached the network yet, so EARLY is the same for every
    // protocol: it runs once.
    return Stream.of(
        Arguments.of(ServerKind.OPENSSH_SFTP, KillPoint.EARLY),
        Arguments.of(ServerKind.OPENSSH_SFTP, KillPoint.MID),
        Arguments.of(ServerKind.OPENSSH_SFTP, KillPoint.LATE),
        Arguments.of(ServerKind.OPENSSH_SCP_ONLY, KillPoint.MID),
        Arguments.of(ServerKind.OPENSSH_SCP_ONLY, KillPoint.LATE),
        Arguments.of(ServerKind.EMBEDDED_RECEIVER, KillPoint.MID));
  }

  @ParameterizedTest(name = "{0}, killed {1}")
  @MethodSource("killPoints")
  void aKilledPushRunAgainConverges(ServerKind kind, KillPoint point) throws Exception {
    TestServer server = servers.get(kind);
    TestServer.Location remote = server.location(tmp, "dest");
    Path state = tmp.resolve("state");
    Path src = sources.get(kind);
    List<String> push = pushArgs(server, src, remote, state);

    killAt(push, remote.onDisk(), point, SHAPES.get(kind).fileCount());
    checkWhatTheKillLeft(server, src, remote.onDisk(), state);
    runToCompletion(push, src, remote.onDisk(), state);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"OPENSSH_SFTP", "OPENSSH_SCP_ONLY"})
  void localEditsAndDeletesAfterTheKillAreWhatTheRerunMirrors(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = writeSource(tmp.resolve("src"), SHAPES.get(kind), new Random(2));
    TestServer.Location remote = server.location(tmp, "dest");
    Path state = tmp.resolve("state");
    List<String> push = pushArgs(server, src, remote, state);

    Landing at = killAt(push, remote.onDisk(), KillPoint.PART_IN_PLACE, SHAPES.get(kind).fileCount());
    checkWhatTheKillLeft(server, src, remote.onDisk(), state);
    editAndDelete(src, remote.onDisk());
    System.out.printf("%s: edited and deleted local files after the kill at %s%n", kind, at);
    runToCompletion(push, src, remote.onDisk(), state);
  }

  private static List<String> pushArgs(TestServer server, Path src, TestServer.Location remote, Path state) {
    return CliRun.args("push", src, server.target(remote.remotePath()), server.cliOptions(),
        "--state-dir", state, "--delete");
  }

  /** Starts the push as a child JVM and kills it with SIGKILL once {@code point} is reached. */
  private Landing killAt(List<String> push, Path dest, KillPoint point, int files) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    command.addAll(push);
    // Files, not pipes: what the child wrote just before the kill stays readable.
    Path out = tmp.resolve("child.out");
    Path err = tmp.resolve("child.err");
    long start = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    child = p;
    if (point == KillPoint.EARLY) {
      Thread.sleep(150); // the kill point itself, not a wait for a result
    } else {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
          .failFast("the push must still be running at the kill point", () ->
              assertThat(p.isAlive()).as(() -> "push ended before " + point + ":\n" + output(out, err)).isTrue())
          .until(() -> point.reached(Landing.of(dest), files));
    }
    Landing at = Landing.of(dest);
    p.destroyForcibly();
    p.waitFor();
    assertThat(p.exitValue()).as(() -> "killed, not finished:\n" + output(out, err)).isEqualTo(SIGKILLED);
    System.out.printf("killed %s after %d ms at %s%n", point, (System.nanoTime() - start) / 1_000_000, at);
    return at;
  }

  /** The invariants a kill must keep, checked once the server has finished with the dead session. */
  private static void checkWhatTheKillLeft(TestServer server, Path src, Path dest, Path state) throws Exception {
    assertNoPartialFileAtAFinalPath(src, dest);
    Landing atKill = Landing.of(dest);
    long start = System.nanoTime();
    awaitServerDoneWithTheKilledSession(server, dest);
    System.out.printf("server done with the killed session after %d ms: %s (before waiting: %s)%n",
        (System.nanoTime() - start) / 1_000_000, Landing.of(dest), atKill);
    assertNoPartialFileAtAFinalPath(src, dest);
    assertStateNotAhead(state, src, dest);
  }

  /**
   * Waits until nothing more changes at the destination: a server may still act on requests the
   * client sent before it died. OpenSSH forks a process per connection, so that is when they are
   * gone; for the embedded receiver, when two listings 200 ms apart agree.
   */
  private static void awaitServerDoneWithTheKilledSession(TestServer server, Path dest) throws Exception {
    if (server.openssh() != null) {
      // AllServers gives each server the directory named after its kind; sshd writes its pid there.
      Path pidFile = shared.resolve(server.kind().name()).resolve("sshd.pid");
      ProcessHandle sshd = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).orElseThrow();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
          .until(() -> sshd.descendants().findAny().isEmpty());
      return;
    }
    AtomicReference<String> last = new AtomicReference<>("");
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          String now = listing(dest);
          return now.equals(last.getAndSet(now));
        });
  }

  /** Every file at a final (non-temp) path is byte-identical to the source file of that path. */
  private static void assertNoPartialFileAtAFinalPath(Path src, Path dest) throws IOException {
    if (!Files.exists(dest)) {
      return;
    }
    for (Map.Entry<Path, BasicFileAttributes> e : walk(dest).entrySet()) {
      Path p = e.getKey();
      Path local = src.resolve(dest.relativize(p).toString());
      if (e.getValue().isDirectory()) {
        assertThat(local).as("directory at the destination").isDirectory();
      } else if (!TempNames.isTemp(p.getFileName().toString())) {
        assertThat(local).as("file at the destination").isRegularFile();
        assertThat(Files.mismatch(local, p)).as("content at final path %s", p).isEqualTo(-1L);
      }
    }
  }

  /**
   * Every path below a root with its attributes, in order. Files are renamed while we walk: one
   * that vanished is skipped, not an error.
   */
  private static SortedMap<Path, BasicFileAttributes> walk(Path root) throws IOException {
    SortedMap<Path, BasicFileAttributes> found = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return found;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        if (!dir.equals(root)) {
          found.put(dir, attrs);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        found.put(file, attrs);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE;
      }
    });
    return found;
  }

  /** Every row the state holds for the target is true of the destination. */
  private static void assertStateNotAhead(Path state, Path src, Path dest) throws Exception {
    try (StateStore store = StateStore.open(state, src)) {
      List<String> keys = store.targets();
      assertThat(keys).as("targets in a fresh state dir").hasSizeLessThanOrEqualTo(1);
      if (keys.isEmpty()) {
        return;
      }
      TargetState target = store.target(keys.getFirst());
      Map<String, String> hashes = target.hashes();
      for (Entry e : target.synced().entries()) {
        Path p = dest.resolve(e.path());
        String row = "state row " + e.path();
        if (e.isDirectory()) {
          assertThat(p).as(row).isDirectory();
        } else if (e.isFile()) {
          assertThat(p).as(row).isRegularFile();
          assertThat(Files.size(p)).as(row + ": size").isEqualTo(e.size());
          assertThat(Files.getLastModifiedTime(p).toInstant().getEpochSecond()).as(row + ": mtime")
              .isEqualTo(e.mtime().getEpochSecond());
          if (hashes.containsKey(e.path())) {
            assertThat(sha256(p)).as(row + ": sha256").isEqualTo(hashes.get(e.path()));
          }
        }
      }
      System.out.printf("state after the kill: %d rows, all true of the destination%n", target.synced().size());
    }
  }

  private static void runToCompletion(List<String> push, Path src, Path dest, Path state) throws Exception {
    CliRun again = CliRun.of(push);
    assertThat(again.exitCode()).as(again.toString()).isZero();
    Trees.assertSameTree(src, dest);
    assertThat(Trees.tempFiles(dest)).as("temp files left").isEmpty();

    CliRun third = CliRun.of(push);
    assertThat(third.exitCode()).as(third.toString()).isZero();
    assertThat(third.out()).as(third.toString()).contains(": 0 files (0 B) transferred");
    try (StateStore store = StateStore.open(state, src)) {
      Set<String> rows = new TreeSet<>(store.target(store.targets().getFirst()).synced().asMap().keySet());
      Set<String> paths = new TreeSet<>(new LocalScanner(
          ExcludeRules.of(List.of())).scan(src).asMap().keySet());
      assertThat(rows).as("state rows after convergence").isEqualTo(paths);
    }
  }

  /**
   * Edits and deletes local files, some already in place at the destination and some not: the
   * re-run must send the new content and remove what is gone, whatever the killed run left.
   */
  private static void editAndDelete(Path src, Path dest) throws IOException, InterruptedException {
    awaitSettled(dest);
    Random random = new Random(3);
    List<Path> inPlace = new ArrayList<>();
    List<Path> notInPlace = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(src)) {
      for (Path p : walk.filter(Files::isRegularFile).filter(p -> !p.getParent().equals(src)).sorted().toList()) {
        (Files.exists(dest.resolve(src.relativize(p).toString())) ? inPlace : notInPlace).add(p);
      }
    }
    int perGroup = 24;
    System.out.printf("small files in place once the remote settled: %d, not in place: %d%n", inPlace.size(),
        notInPlace.size());
    // Over SCP the server's rename script outlives the killed client and may put every complete
    // temporary file in place: then only the in-place group can be edited.
    assertThat(Math.max(inPlace.size(), notInPlace.size())).as("small files to edit").isGreaterThanOrEqualTo(perGroup);
    for (List<Path> group : List.of(inPlace, notInPlace)) {
      for (int i = 0; i < Math.min(perGroup, group.size()); i++) {
        Path p = group.get(i * (group.size() / Math.min(perGroup, group.size())));
        switch (i % 3) {
          case 0 -> Files.delete(p);
          case 1 -> Files.write(p, bytes(random, 100 + random.nextInt(2000)), StandardOpenOption.APPEND);
          default -> overwriteInPlace(p, 0, random); // same size, other content
        }
      }
    }
    // A directory that is gone entirely, one that is new, and a big file changed in the middle.
    try (Stream<Path> walk = Files.walk(src.resolve("d07"))) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    Path added = Files.createDirectories(src.resolve("added/inner"));
    for (int i = 0; i < 5; i++) {
      Files.write(added.resolve("new-" + i + ".bin"), bytes(random, 5000 + i));
    }
    overwriteInPlace(src.resolve("big-1.bin"), 10 << 20, random);
  }

  /**
   * Waits until what the killed run left stops changing (an SCP server's rename script goes on
   * after the client is gone), at most 20 s.
   */
  private static void awaitSettled(Path dest) throws IOException, InterruptedException {
    Landing last = Landing.of(dest);
    int same = 0;
    for (long end = System.nanoTime() + 20_000_000_000L; same < 3 && System.nanoTime() < end; ) {
      Thread.sleep(200);
      Landing now = Landing.of(dest);
      same = now.equals(last) ? same + 1 : 0;
      last = now;
    }
  }

  private static void overwriteInPlace(Path p, long offset, Random random) throws IOException {
    try (var channel = Files.newByteChannel(p, StandardOpenOption.WRITE)) {
      channel.position(offset);
      channel.write(ByteBuffer.wrap(bytes(random, 1024)));
    }
  }

  /** How much a source holds: small files of 4–64 KiB spread over directories, and two big files. */
  record Shape(int smallFiles, int dirs, int bigFileBytes) {
    int fileCount() {
      return smallFiles + 2;
    }
  }

  /** Small files in d00, d01, ... and big-1.bin, big-2.bin at the root; random content. */
  private static Path writeSource(Path root, Shape shape, Random random) throws IOException {
    for (int i = 0; i < shape.smallFiles(); i++) {
      Path dir = Files.createDirectories(root.resolve("d%02d".formatted(i % shape.dirs())));
      Path file = dir.resolve("f%04d.bin".formatted(i));
      Files.write(file, bytes(random, 4096 + random.nextInt(60 * 1024 + 1)));
      Files.setLastModifiedTime(file, FileTime.from(CREATED.plusSeconds(i)));
    }
    for (String name : List.of("big-1.bin", "big-2.bin")) {
      Files.write(root.resolve(name), bytes(random, shape.bigFileBytes()));
      Files.setLastModifiedTime(root.resolve(name), FileTime.from(CREATED));
    }
    return root;
  }

  private static byte[] bytes(Random random, int size) {
    byte[] data = new byte[size];
    random.nextBytes(data);
    return data;
  }

  /** What the destination holds: files in place under final names, and temp files. */
  record Landing(int inPlace, int temps, long tempBytes) {
    static Landing of(Path dest) throws IOException {
      int inPlace = 0;
      int temps = 0;
      long tempBytes = 0;
      for (Map.Entry<Path, BasicFileAttributes> e : walk(dest).entrySet()) {
        if (!e.getValue().isRegularFile()) {
          continue;
        }
        if (TempNames.isTemp(e.getKey().getFileName().toString())) {
          temps++;
          tempBytes += e.getValue().size();
        } else {
          inPlace++;
        }
      }
      return new Landing(inPlace, temps, tempBytes);
    }

    @Override
    public String toString() {
      return inPlace + " in place, " + temps + " temp files (" + (tempBytes >> 10) + " KiB)";
    }
  }

  /** Paths, sizes and mtimes under a root, one line each, to tell whether anything changed. */
  private static String listing(Path root) throws IOException {
    StringBuilder sb = new StringBuilder();
    walk(root).forEach((p, a) -> sb.append(p).append(' ').append(a.size()).append(' ')
        .append(a.lastModifiedTime()).append('\n'));
    return sb.toString();
  }

  private static String sha256(Path p) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(p)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        digest.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String output(Path out, Path err) {
    try {
      return "--- out\n" + Files.readString(out) + "--- err\n" + Files.readString(err);
    } catch (IOException e) {
      return "(output unreadable: " + e + ")";
    }
  }
}
