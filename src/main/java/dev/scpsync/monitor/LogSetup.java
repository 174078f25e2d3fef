package dev.scpsync.monitor;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import java.util.Locale;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * Switches logging, once at start, between the human console format of {@code logback.xml} and
 * the daemon formats: {@code json} (one object per line: {@code ts, level, event, target, path,
 * bytes, duration_ms, attempt, error}, plus {@code message} and {@code logger}) and/or a log file
 * rotated by size. Events ({@link EventLog}) are logged at INFO whenever the output is JSON or a
 * file; on the plain console they stay off (the command prints its own lines) unless {@code
 * SCPSYNC_LOG} asks for them.
 */
public final class LogSetup {
  /** The two formats. */
  public enum Format {
    TEXT,
    JSON;

    /** Parses {@code text} or {@code json}. */
    public static Format parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "text" -> TEXT;
        case "json" -> JSON;
        default -> throw new IllegalArgumentException("--log-format must be text or json, not '" + s + "'");
      };
    }
  }

  /** Size at which the log file is rotated, and how many old files are kept. */
  static final FileSize ROTATE_AT = FileSize.valueOf("10MB");
  static final int KEEP = 5;

  private static volatile boolean jsonOnConsole;

  private LogSetup() {}

  /** Whether stderr carries JSON log lines, so that nothing else should be printed there. */
  public static boolean jsonOnConsole() {
    return jsonOnConsole;
  }

  /**
   * Applies the format and file; {@code TEXT} without a file leaves {@code logback.xml}'s setup as
   * it is. Call once, before the command logs anything.
   */
  public static void configure(Format format, Path file) {
    if (format == Format.TEXT && file == null) {
      return;
    }
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Encoder<ILoggingEvent> encoder = format == Format.JSON ? jsonEncoder(ctx) : textEncoder(ctx);
    OutputStreamAppender<ILoggingEvent> appender = file == null ? console(ctx) : rollingFile(ctx, file);
    appender.setEncoder(encoder);
    appender.start();
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
    ctx.getLogger(EventLog.LOGGER).setLevel(Level.INFO);
    jsonOnConsole = format == Format.JSON && file == null;
  }

  private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext ctx) {
    LogstashEncoder e = new LogstashEncoder();
    e.setContext(ctx);
    e.getFieldNames().setTimestamp("ts");
    e.getFieldNames().setVersion("[ignore]");
    e.getFieldNames().setLevelValue("[ignore]");
    e.getFieldNames().setThread("[ignore]");
    e.getFieldNames().setLogger("logger");
    e.setTimestampPattern("[ISO_INSTANT]");
    e.start();
    return e;
  }

  private static Encoder<ILoggingEvent> textEncoder(LoggerContext ctx) {
    PatternLayoutEncoder e = new PatternLayoutEncoder();
    e.setContext(ctx);
    e.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0}: %msg %kvp%n");
    e.start();
    return e;
  }

  private static OutputStreamAppender<ILoggingEvent> console(LoggerContext ctx) {
    ConsoleAppender<ILoggingEvent> a = new ConsoleAppender<>();
    a.setContext(ctx);
    a.setName("STDERR");
    a.setTarget("System.err");
    return a;
  }

  private static OutputStreamAppender<ILoggingEvent> rollingFile(LoggerContext ctx, Path file) {
    RollingFileAppender<ILoggingEvent> a = new RollingFileAppender<>();
    a.setContext(ctx);
    a.setName("FILE");
    a.setFile(file.toString());
    FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
    rolling.setContext(ctx);
    rolling.setParent(a);
    rolling.setFileNamePattern(file + ".%i");
    rolling.setMinIndex(1);
    rolling.setMaxIndex(KEEP);
    rolling.start();
    SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
    trigger.setContext(ctx);
    trigger.setMaxFileSize(ROTATE_AT);
    trigger.start();
    a.setRollingPolicy(rolling);
    a.setTriggeringPolicy(trigger);
    return a;
  }
}
