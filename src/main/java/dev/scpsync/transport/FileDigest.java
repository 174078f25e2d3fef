package dev.scpsync.transport;

/**
 * The content of a file as an upload read and sent it: its SHA-256 and its block hashes. Reported
 * with {@link TransferListener#digested} so that the state can record them without reading the
 * file again.
 *
 * @param sha256 lowercase hex SHA-256 of the whole content
 * @param blocks the SHA-256 of each block
 */
public record FileDigest(String sha256, BlockHashes blocks) {}
