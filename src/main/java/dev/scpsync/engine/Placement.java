package dev.scpsync.engine;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Snapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which targets hold a path. Directories are on every target (so that any file can land in its
 * parent); files and symlinks follow the mode:
 *
 * <ul>
 *   <li>{@link #mirror}: every target.
 *   <li>{@link #shard}: the {@code replicas} targets with the highest rendezvous score for the path
 *       (highest random weight hashing). Adding or removing one of N targets moves only the paths
 *       whose top R changes, about R/N of them, and every process computes the same layout from
 *       the target names alone: no ring to store or agree on.
 *   <li>{@link #balance}: exactly one target, chosen when the file is first seen (see {@link
 *       BalanceAssigner}).
 * </ul>
 *
 * <p>The score is the first 8 bytes of SHA-256(target name, NUL, path): stable across versions,
 * machines and JVMs, and uniform enough that per-target counts stay within a few percent. Written
 * here because the whole algorithm is a sort by score; a library would add more than it saves.
 * Thread-safe; mirror and shard are immutable, balance keeps its assignments.
 */
public final class Placement {
  private final List<String> targets;
  private final int replicas;
  private final BalanceAssigner balance;

  private Placement(List<String> targets, int replicas, BalanceAssigner balance) {
    if (targets.isEmpty() || replicas < 1 || replicas > targets.size()) {
      throw new IllegalArgumentException("need 1 <= replicas <= targets: " + replicas + " of " + targets.size());
    }
    this.targets = List.copyOf(targets);
    this.replicas = replicas;
    this.balance = balance;
  }

  /** Every target holds every path. */
  public static Placement mirror(List<String> targets) {
    return new Placement(targets, targets.size(), null);
  }

  /** Each file on {@code replicas} of the targets, chosen by rendezvous hashing on its path. */
  public static Placement shard(List<String> targets, int replicas) {
    return new Placement(targets, replicas, null);
  }

  /** Each file on exactly one target: the least loaded, or the next in turn ({@code roundRobin}). */
  public static Placement balance(List<String> targets, boolean roundRobin) {
    return new Placement(targets, 1, new BalanceAssigner(targets,
        roundRobin ? BalanceAssigner.Strategy.ROUND_ROBIN : BalanceAssigner.Strategy.LEAST_LOADED));
  }

  /** Whether every target holds everything. */
  public boolean isMirror() {
    return balance == null && replicas == targets.size();
  }

  /** {@code mirror}, {@code shard} or {@code balance}. */
  public String mode() {
    return balance != null ? "balance" : isMirror() ? "mirror" : "shard";
  }

  /** Whether {@code other} puts every path where this one does (same mode, targets and replicas). */
  public boolean sameLayoutAs(Placement other) {
    return other != null && mode().equals(other.mode()) && targets.equals(other.targets) && replicas == other.replicas
        && (balance == null || balance.sameStrategy(other.balance));
  }

  /** The balance assignments, or null in the other modes. */
  BalanceAssigner balancer() {
    return balance;
  }

  /** The targets that hold a file at {@code path}, best first. */
  public List<String> targetsFor(String path) {
    if (isMirror()) {
      return targets;
    }
    if (balance != null) {
      return List.of(balance.owner(path));
    }
    List<String> ranked = new ArrayList<>(targets);
    ranked.sort(Comparator.comparingLong((String t) -> score(t, path)).reversed().thenComparing(t -> t));
    return List.copyOf(ranked.subList(0, replicas));
  }

  /** Whether {@code target} holds a file at {@code path}. */
  public boolean holds(String target, String path) {
    return isMirror() || (balance != null ? balance.owner(path).equals(target) : targetsFor(path).contains(target));
  }

  /** Whether {@code target} holds the file {@code e}; a new file is weighed by its size under balance. */
  private boolean holds(String target, Entry e) {
    return balance != null ? balance.owner(e.path(), Math.max(0, e.size())).equals(target) : holds(target, e.path());
  }

  /** The part of a local tree that {@code target} should hold: every directory, its own files. */
  public Snapshot viewFor(String target, Snapshot local) {
    if (isMirror()) {
      return local;
    }
    List<Entry> kept = new ArrayList<>();
    for (Entry e : local.entries()) {
      if (e.isDirectory() || holds(target, e)) {
        kept.add(e);
      }
    }
    return Snapshot.of(kept, local.problems());
  }

  static long score(String target, String path) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    sha.update(target.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(path.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(sha.digest()).getLong() >>> 1; // non-negative, so the order is plain
  }
}
