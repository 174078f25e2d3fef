package dev.scpsync.state;

import dev.scpsync.tree.Entry;
import java.util.Objects;

/**
 * An entry the remote has confirmed, with the facts about its local source that later runs compare
 * against.
 *
 * @param entry the entry exactly as it now is on the target
 * @param sha256 lowercase hex SHA-256 of the file's content, or {@code null} when not computed
 * @param fileKey the local source's file key ({@code BasicFileAttributes.fileKey()}, e.g.
 *     {@code "(dev=803,ino=1234)"}), or {@code null} when the file system has none
 * @param blockHashes the content's block hashes in their stored form, or {@code null}
 */
public record Confirmed(Entry entry, String sha256, String fileKey, byte[] blockHashes) {
  public Confirmed {
    Objects.requireNonNull(entry, "entry");
  }

  /** An entry confirmed without block hashes. */
  public Confirmed(Entry entry, String sha256, String fileKey) {
    this(entry, sha256, fileKey, null);
  }

  /** An entry confirmed without a hash or file key. */
  public static Confirmed of(Entry entry) {
    return new Confirmed(entry, null, null);
  }
}
