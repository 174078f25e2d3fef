package dev.scpsync.state;

import java.util.List;

/**
 * One step of the state database's schema: the SQL that takes a database at {@code version - 1}
 * to {@code version}.
 */
record Migration(int version, List<String> statements) {
  Migration {
    if (version < 1) {
      throw new IllegalArgumentException("schema versions start at 1: " + version);
    }
    statements = List.copyOf(statements);
  }
}
