package dev.scpsync.plan;

/**
 * A remote rename: the destination entry at {@code from} becomes {@code to}. Used for paths moved
 * locally (a whole directory moves in one operation) and for conflict backups.
 */
public record Rename(String from, String to) {}
