package dev.scpsync.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A host of its own for a test: a network namespace joined to this machine by a veth pair, the
 * machine's end at {@code 10.231.N.1/30} and the namespace's at {@code 10.231.N.2/30}, with
 * {@code N} chosen among the subnets no interface uses. Its link can be cut ({@link #linkDown})
 * and restored ({@link #linkUp}) the way a cable is pulled.
 *
 * <p>While the link is down the machine has no connected route to the namespace any more, and
 * packets for it would follow the default route out of the machine; an {@code unreachable} route of
 * low priority for the /30 keeps them here, so a cut link is silent and nothing leaks.
 *
 * <p>Needs root ({@code ip netns}); outside CI a machine that refuses skips the test, in CI that
 * fails it. {@link #close} removes the namespace (ending what runs in it), the veth pair and the
 * route even after a failure, and a new fixture first removes what crashed runs left behind.
 */
public final class NetnsHost implements AutoCloseable {
  private static final String PREFIX = "scpsync-";
  /** Namespace names: {@code scpsync-PID-N}; veth names: {@code scpsPIDhN} (at most 15 chars). */
  private static final Pattern NAMESPACE = Pattern.compile("scpsync-(\\d+)-(\\d+|probe)");
  private static final Pattern VETH = Pattern.compile("scps(\\d+)[hp]\\d+");
  /** Marks the unreachable routes this fixture adds, so leftovers can be told from others'. */
  private static final String ROUTE_PROTO = "242";
  private static final String ROUTE_METRIC = "4242";
  /** Held while a subnet is chosen and taken, so that test JVMs running side by side never share one. */
  private static final Path LOCK = Path.of(System.getProperty("java.io.tmpdir"), "scpsync-netns.lock");
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final String name;
  private final String hostVeth;
  private final String peerVeth;
  private final int subnet;
  private boolean routeAdded;

  private NetnsHost(String name, String hostVeth, String peerVeth, int subnet) {
    this.name = name;
    this.hostVeth = hostVeth;
    this.peerVeth = peerVeth;
    this.subnet = subnet;
  }

  /** Creates a namespace with its link up; skips (or, in CI, fails) where namespaces are not allowed. */
  public static NetnsHost create() throws IOException, InterruptedException {
    RequiredTools.require("iproute2", "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip");
    requirePermission();
    long pid = ProcessHandle.current().pid();
    int n = COUNTER.getAndIncrement();
    try (FileChannel lockFile = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      lockFile.lock(); // released when the channel closes
      removeLeftovers();
      NetnsHost host = new NetnsHost(PREFIX + pid + "-" + n, "scps" + pid + "h" + n, "scps" + pid + "p" + n, freeSubnet());
      try {
        host.build();
      } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
        host.close();
        throw e;
      }
      return host;
    }
  }

  /** The namespace's name, for {@code ip netns exec}. */
  public String name() {
    return name;
  }

  /** The namespace's address, where its servers listen. */
  public String address() {
    return "10.231." + subnet + ".2";
  }

  /** This machine's address on the link to the namespace. */
  public String hostAddress() {
    return "10.231." + subnet + ".1";
  }

  /** The prefix that runs a command inside the namespace. */
  public List<String> execPrefix() {
    return List.of(ip(), "netns", "exec", name);
  }

  /** Cuts the link: the machine's end of the veth goes down; nothing is told to either side. */
  public void linkDown() throws IOException, InterruptedException {
    ip("link", "set", hostVeth, "down");
  }

  /** Restores the link. */
  public void linkUp() throws IOException, InterruptedException {
    ip("link", "set", hostVeth, "up");
  }

  /**
   * How this machine routes a packet to the namespace now: {@code ip route get} output, or its
   * error ("unreachable") while the link is down.
   */
  public String routeToNamespace() throws IOException, InterruptedException {
    Processes.Result r = Processes.run(List.of(ip(), "route", "get", address()));
    return (r.stdout() + r.stderr()).trim();
  }

  /** Runs a command inside the namespace and returns its output; fails on a non-zero exit. */
  public String exec(String... command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(execPrefix());
    full.addAll(List.of(command));
    return Processes.runOk(full).stdout();
  }

  private void build() throws IOException, InterruptedException {
    ip("netns", "add", name);
    ip("link", "add", hostVeth, "type", "veth", "peer", "name", peerVeth);
    ip("link", "set", peerVeth, "netns", name);
    ip("addr", "add", hostAddress() + "/30", "dev", hostVeth);
    ip("route", "add", "unreachable", subnetPrefix(subnet), "metric", ROUTE_METRIC, "proto", ROUTE_PROTO);
    routeAdded = true;
    ip("link", "set", hostVeth, "up");
    ip("-n", name, "addr", "add", address() + "/30", "dev", peerVeth);
    ip("-n", name, "link", "set", peerVeth, "up");
    ip("-n", name, "link", "set", "lo", "up");
  }

  private static String subnetPrefix(int subnet) {
    return "10.231." + subnet + ".0/30";
  }

  /** The first 10.231.N.0/30 that no interface of this machine has an address in. */
  private static int freeSubnet() throws IOException, InterruptedException {
    Set<Integer> used = usedSubnets();
    for (int n = 1; n < 255; n++) {
      if (!used.contains(n)) {
        return n;
      }
    }
    throw new IOException("no free 10.231.N.0/30 subnet: " + used);
  }

  private static Set<Integer> usedSubnets() throws IOException, InterruptedException {
    Set<Integer> used = new HashSet<>();
    Matcher m = Pattern.compile("inet 10\\.231\\.(\\d+)\\.").matcher(ip("-o", "addr"));
    while (m.find()) {
      used.add(Integer.parseInt(m.group(1)));
    }
    // A route there (someone else's network, or an unreachable route of ours) makes it taken too.
    Matcher r = Pattern.compile("(?m)^(?:\\S+ )?10\\.231\\.(\\d+)\\.").matcher(ip("route", "show"));
    while (r.find()) {
      used.add(Integer.parseInt(r.group(1)));
    }
    return used;
  }

  /** Namespaces and veths of processes that are gone, and our routes that lead nowhere now. */
  private static void removeLeftovers() throws IOException, InterruptedException {
    for (String line : ip("netns", "list").split("\n")) {
      Matcher m = NAMESPACE.matcher(line.split(" ")[0]);
      if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
        deleteNamespace(m.group());
      }
    }
    Matcher links = Pattern.compile("(?m)^\\d+: (scps\\d+[hp]\\d+)[@:]").matcher(ip("-o", "link"));
    while (links.find()) {
      Matcher v = VETH.matcher(links.group(1));
      if (v.matches() && ProcessHandle.of(Long.parseLong(v.group(1))).isEmpty()) {
        Processes.run(List.of(ip(), "link", "del", links.group(1)));
      }
    }
    Set<Integer> withAddress = new HashSet<>();
    Matcher a = Pattern.compile("inet 10\\.231\\.(\\d+)\\.").matcher(ip("-o", "addr"));
    while (a.find()) {
      withAddress.add(Integer.parseInt(a.group(1)));
    }
    Matcher routes = Pattern.compile("(?m)^unreachable 10\\.231\\.(\\d+)\\.0/30 proto " + ROUTE_PROTO + " .*metric " + ROUTE_METRIC)
        .matcher(ip("route", "show"));
    while (routes.find()) {
      int n = Integer.parseInt(routes.group(1));
      if (!withAddress.contains(n)) {
        deleteRoute(n);
      }
    }
  }

  /** Ends every process in the namespace (by id), then deletes it; its veth end goes with it. */
  private static void deleteNamespace(String namespace) throws IOException, InterruptedException {
    Processes.Result pids = Processes.run(List.of(ip(), "netns", "pids", namespace));
    for (String pid : pids.stdout().split("\\s+")) {
      if (!pid.isBlank()) {
        ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    Processes.run(List.of(ip(), "netns", "del", namespace));
  }

  private static void deleteRoute(int subnet) throws IOException, InterruptedException {
    Processes.run(List.of(ip(), "route", "del", "unreachable", subnetPrefix(subnet), "metric", ROUTE_METRIC));
  }

  private static void requirePermission() throws IOException, InterruptedException {
    // Listing needs no privilege; adding does. Try once with a throwaway name.
    String probe = PREFIX + ProcessHandle.current().pid() + "-probe";
    Processes.Result r = Processes.run(List.of(ip(), "netns", "add", probe));
    if (r.exitCode() == 0) {
      Processes.run(List.of(ip(), "netns", "del", probe));
      return;
    }
    String reason = "ip netns add is not permitted here (" + r.stderr().trim() + ")";
    if (RequiredTools.inCi()) {
      fail(reason + "; CI runs tests as root");
    }
    Assumptions.abort(reason + "; run as root to test network namespaces");
  }

  private static String ip() {
    for (String c : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) {
      if (java.nio.file.Files.isExecutable(Path.of(c))) {
        return c;
      }
    }
    return "ip";
  }

  private static String ip(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(ip()));
    command.addAll(List.of(args));
    return Processes.runOk(command).stdout();
  }

  /**
   * Deletes the namespace (ending its processes), the veth pair and the route, whatever state a
   * failed test left them in; throws only when {@code ip} itself cannot be run.
   */
  @Override
  public void close() {
    try {
      deleteNamespace(name);
      Processes.run(List.of(ip(), "link", "del", hostVeth)); // gone with the namespace unless the move failed
      if (routeAdded) {
        deleteRoute(subnet);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("removing namespace " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + " (" + hostVeth + " " + hostAddress() + " <-> " + address() + ")";
  }
}
