/**
 * What a running scpsync tells the world: the event vocabulary as JSON log lines ({@link
 * dev.scpsync.monitor.LogSetup}, {@link dev.scpsync.monitor.EventLog}), Prometheus metrics ({@link
 * dev.scpsync.monitor.Metrics}), and an HTTP server for {@code /api/status}, {@code /api/events}
 * (Server-Sent Events) and the dashboard ({@link dev.scpsync.monitor.StatusServer}).
 *
 * <p>Reads only: it consumes the engine's {@link dev.scpsync.engine.WatchEvent}s and {@link
 * dev.scpsync.engine.TargetStatus} snapshots and never calls back into the engine.
 */
package dev.scpsync.monitor;
