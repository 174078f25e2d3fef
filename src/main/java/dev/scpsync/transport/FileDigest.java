package dev.scpsync.transport;

import java.util.HexFormat;

/**
 * The content of a file as an upload read and sent it: its SHA-256 and its block hashes. Reported
 * with {@link TransferListener#digested} so that the state can record them without reading the
 * file again.
 *
 * @param sha256 lowercase hex SHA-256 of the whole content
 * @param blocks the SHA-256 of each block; null for a small file sent in one piece, which never
 *     goes as a delta
 */
public record FileDigest(String sha256, BlockHashes blocks) {

  /** The digest of a small file's whole content, held in memory as it was sent. */
  public static FileDigest of(byte[] content) {
    return new FileDigest(HexFormat.of().formatHex(LocalSha256.sha256().digest(content)), null);
  }
}
