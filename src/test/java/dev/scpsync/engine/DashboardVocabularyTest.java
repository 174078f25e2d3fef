package dev.scpsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.monitor.StatusServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard listens for every event of the vocabulary: Server-Sent Events hands a named event
 * only to a listener of that name, so an event missing from the page's list never reaches its feed.
 * Here, in the engine's package, because the hooks' event names are package-private.
 */
class DashboardVocabularyTest {
  @Test
  void thePageListensForEveryEventTheEngineEmits() throws Exception {
    List<String> vocabulary = new ArrayList<>(List.of(SyncedHook.EVENT, AfterSyncHook.EVENT));
    for (Field f : WatchEvent.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        vocabulary.add((String) f.get(null));
      }
    }
    assertThat(vocabulary).contains(WatchEvent.FILE_UPLOADED, WatchEvent.TARGET_OFFLINE);

    Matcher list = Pattern.compile("const EVENTS = \\[([^\\]]*)\\]").matcher(page());
    assertThat(list.find()).as("the page's EVENTS list").isTrue();
    List<String> listened = Pattern.compile("'([^']+)'").matcher(list.group(1)).results().map(m -> m.group(1)).toList();
    assertThat(listened).containsExactlyInAnyOrderElementsOf(vocabulary);
  }

  private static String page() throws IOException {
    try (InputStream in = StatusServer.class.getResourceAsStream("dashboard.html")) {
      assertThat(in).as("dashboard.html next to StatusServer").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
