package dev.scpsync.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Placement mode {@code balance}: each file to exactly one target, chosen when the file is first
 * seen and kept from then on.
 *
 * <ul>
 *   <li>A file some target's state already holds stays there (exactly once across restarts: the
 *       state is the record of who got what).
 *   <li>Otherwise {@code least-loaded} picks the online target with the fewest bytes assigned and
 *       not yet confirmed (a slow target confirms slowly, so it gets less; ties go to the one with
 *       fewer files, then in turn), {@code round-robin} the next online target in turn.
 *   <li>When a target goes offline, its assigned but unconfirmed files are released, to be
 *       assigned again (to the targets still online) by the next look at them.
 * </ul>
 *
 * <p>A file's bytes are its size when it was first placed (the scan's entry). Thread-safe (one
 * lock; each call is short).
 */
final class BalanceAssigner {
  /** How the next new file's target is chosen. */
  enum Strategy {
    LEAST_LOADED,
    ROUND_ROBIN
  }

  private final List<String> targets;
  private final Strategy strategy;
  private final Map<String, String> owners = new HashMap<>();
  /** Per target, its files assigned and not yet confirmed, with their sizes. */
  private final Map<String, Map<String, Long>> unconfirmed = new HashMap<>();
  private final Map<String, Long> unconfirmedBytes = new HashMap<>();
  private Function<String, String> holder = p -> null;
  private Predicate<String> online = t -> true;
  private int turn;

  BalanceAssigner(List<String> targets, Strategy strategy) {
    this.targets = List.copyOf(targets);
    this.strategy = strategy;
    targets.forEach(t -> {
      unconfirmed.put(t, new LinkedHashMap<>());
      unconfirmedBytes.put(t, 0L);
    });
  }

  /** Where the states say a path already is (a target name, or null), and which targets are up. */
  synchronized void connect(Function<String, String> holder, Predicate<String> online) {
    this.holder = holder;
    this.online = online;
  }

  /** The one target that holds {@code path}, choosing it now if nobody has yet (as if empty). */
  synchronized String owner(String path) {
    return owner(path, 0);
  }

  /** The one target that holds the file at {@code path} of {@code size} bytes, choosing it now if nobody has yet. */
  synchronized String owner(String path, long size) {
    String owner = owners.get(path);
    if (owner == null) {
      owner = holder.apply(path);
      if (owner == null) {
        owner = choose();
        unconfirmed.get(owner).put(path, size);
        unconfirmedBytes.merge(owner, size, Long::sum);
      }
      owners.put(path, owner);
    }
    return owner;
  }

  /** {@code target} confirmed {@code path}: it no longer counts as load. */
  synchronized void confirmed(String target, String path) {
    Map<String, Long> waiting = unconfirmed.get(target);
    Long size = waiting == null ? null : waiting.remove(path);
    if (size != null) {
      unconfirmedBytes.merge(target, -size, Long::sum);
    }
  }

  /** {@code target} went away: its unconfirmed files are free to go elsewhere. Returns them. */
  synchronized List<String> release(String target) {
    Map<String, Long> waiting = unconfirmed.get(target);
    List<String> released = new ArrayList<>(waiting.keySet());
    released.forEach(owners::remove);
    waiting.clear();
    unconfirmedBytes.put(target, 0L);
    return released;
  }

  boolean sameStrategy(BalanceAssigner other) {
    return other != null && strategy == other.strategy;
  }

  /** Bytes of the files assigned to {@code target} and not yet confirmed there. */
  synchronized long load(String target) {
    return unconfirmedBytes.get(target);
  }

  private String choose() {
    List<String> up = targets.stream().filter(online).toList();
    List<String> candidates = up.isEmpty() ? targets : up;
    if (strategy == Strategy.ROUND_ROBIN) {
      return candidates.get(Math.floorMod(turn++, candidates.size()));
    }
    String best = null;
    // Start the scan at a rotating position so that ties do not all go to the first target.
    int start = Math.floorMod(turn++, candidates.size());
    for (int i = 0; i < candidates.size(); i++) {
      String t = candidates.get((start + i) % candidates.size());
      if (best == null || lighter(t, best)) {
        best = t;
      }
    }
    return best;
  }

  private boolean lighter(String a, String b) {
    int byBytes = Long.compare(unconfirmedBytes.get(a), unconfirmedBytes.get(b));
    return byBytes != 0 ? byBytes < 0 : unconfirmed.get(a).size() < unconfirmed.get(b).size();
  }
}
