package dev.scpsync.engine;

import dev.scpsync.transport.Protocol;
import dev.scpsync.transport.TargetSpec;

/**
 * One target of a watch.
 *
 * @param name how logs, metrics, the status API and the placement name it
 * @param spec where it is
 * @param protocol its protocol choice ({@link Protocol#AUTO}: the watch's own)
 * @param afterSync a command to run on the target after its changes converged, or null
 * @param parallel most SSH channels its uploads use at once; 0: the watch's own choice
 */
public record WatchTarget(String name, TargetSpec spec, Protocol protocol, String afterSync, int parallel) {
  /** A target named by its spec, with the watch's protocol and channels and no hook. */
  public static WatchTarget of(TargetSpec spec) {
    return new WatchTarget(spec.display(), spec, Protocol.AUTO, null, 0);
  }
}
