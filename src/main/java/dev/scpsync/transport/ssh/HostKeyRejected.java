package dev.scpsync.transport.ssh;

/** Why a server's host key was not accepted; the message is meant for the user as is. */
record HostKeyRejected(String message) {}
