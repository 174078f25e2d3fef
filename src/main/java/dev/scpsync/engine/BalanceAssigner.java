package dev.scpsync.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Placement mode {@code balance}: each file to exactly one target, chosen when the file is first
 * seen and kept from then on.
 *
 * <ul>
 *   <li>A file some target's state already holds stays there (exactly once across restarts: the
 *       state is the record of who got what).
 *   <li>Otherwise {@code least-loaded} picks the online target with the fewest files assigned and
 *       not yet confirmed (a slow target confirms slowly, so it gets fewer), {@code round-robin}
 *       the next online target in turn.
 *   <li>When a target goes offline, its assigned but unconfirmed files are released, to be
 *       assigned again (to the targets still online) by the next look at them.
 * </ul>
 *
 * <p>Load is counted in files, not bytes: a path waiting in a queue has not been stat'ed yet.
 * Thread-safe (one lock; each call is short).
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
  private final Map<String, Set<String>> unconfirmed = new HashMap<>();
  private Function<String, String> holder = p -> null;
  private Predicate<String> online = t -> true;
  private int turn;

  BalanceAssigner(List<String> targets, Strategy strategy) {
    this.targets = List.copyOf(targets);
    this.strategy = strategy;
    targets.forEach(t -> unconfirmed.put(t, new LinkedHashSet<>()));
  }

  /** Where the states say a path already is (a target name, or null), and which targets are up. */
  synchronized void connect(Function<String, String> holder, Predicate<String> online) {
    this.holder = holder;
    this.online = online;
  }

  /** The one target that holds {@code path}, choosing it now if nobody has yet. */
  synchronized String owner(String path) {
    String owner = owners.get(path);
    if (owner == null) {
      owner = holder.apply(path);
      if (owner == null) {
        owner = choose();
        unconfirmed.get(owner).add(path);
      }
      owners.put(path, owner);
    }
    return owner;
  }

  /** {@code target} confirmed {@code path}: it no longer counts as load. */
  synchronized void confirmed(String target, String path) {
    Set<String> waiting = unconfirmed.get(target);
    if (waiting != null) {
      waiting.remove(path);
    }
  }

  /** {@code target} went away: its unconfirmed files are free to go elsewhere. Returns them. */
  synchronized List<String> release(String target) {
    Set<String> waiting = unconfirmed.get(target);
    List<String> released = new ArrayList<>(waiting);
    released.forEach(owners::remove);
    waiting.clear();
    return released;
  }

  boolean sameStrategy(BalanceAssigner other) {
    return other != null && strategy == other.strategy;
  }

  /** Files assigned to {@code target} and not yet confirmed there. */
  synchronized int load(String target) {
    return unconfirmed.get(target).size();
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
      if (best == null || unconfirmed.get(t).size() < unconfirmed.get(best).size()) {
        best = t;
      }
    }
    return best;
  }
}
