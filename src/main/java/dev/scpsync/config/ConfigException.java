package dev.scpsync.config;

/** A config file that cannot be used; the message starts with {@code file:line:column:}. */
public final class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }
}
