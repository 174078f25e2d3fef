package dev.scpsync.config;

import java.util.List;

/**
 * The config file as written, before validation: what Jackson reads (keys in kebab-case, unknown
 * keys refused). {@link ConfigLoader} turns it into a {@link Config}.
 */
record RawConfig(String source, List<String> excludes, String excludeFrom, String stateDir, Boolean delete,
    RawPlacement placement, RawTransfer transfer, RawWatch watch, RawMonitor monitor, RawSsh ssh, RawHooks hooks,
    List<RawTarget> targets) {

  record RawPlacement(String mode, Integer replicas, String strategy) {}

  record RawTransfer(String protocol, String verifyEvery, String maxDelete, String onDrift, Boolean allowEmptySource,
      String chunkSize, String bwlimit, String compression, Integer parallel, Boolean delta) {}

  record RawWatch(String debounce, String settle) {}

  record RawMonitor(String http, String httpToken, String logFormat, String logFile) {}

  record RawSsh(List<String> knownHosts, List<String> identities, Boolean acceptNew, String config, Boolean agent) {}

  record RawHooks(List<String> onSynced, String debounce) {}

  record RawTarget(String name, String target, String protocol, String afterSync, Integer parallel) {}
}
