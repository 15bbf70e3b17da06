import type { TLSSocket } from 'node:tls';

// node:tls finishes a server handshake in two steps that only `tls.Server` performs, and we make
// our TLSSocket ourselves (over any Duplex, so no tls.Server). Both steps are here, in one place to
// check when Node changes, each doing exactly what tls.Server's `onServerSocketSecure` does, and
// each failing closed if the internal is missing.

interface TlsHandle {
  verifyError?: () => (Error & { code?: string }) | null | undefined;
}

/**
 * Why the client's certificate chain did not verify against the context's CA, or null when it
 * did. Node sets `socket.authorized` only for sockets a tls.Server made; OpenSSL's verdict is on the
 * native handle (OpenSSL's verify callback in Node accepts everything and records the error).
 */
export function peerVerifyError(socket: TLSSocket): string | null {
  const handle = (socket as unknown as { _handle?: TlsHandle | null })._handle;
  if (typeof handle?.verifyError !== 'function') return 'the TLS handle cannot report verification (unsupported Node version)';
  const err = handle.verifyError();
  return err === null || err === undefined ? null : (err.code ?? err.message);
}

/**
 * Lets TLS errors after the handshake reach the socket's 'error' listeners. Until control is
 * released, node:tls routes them to an internal event only and the socket stays open in a broken
 * state; tls.Server releases it when the handshake is done.
 */
export function releaseControl(socket: TLSSocket): void {
  (socket as unknown as { _releaseControl?: () => boolean })._releaseControl?.();
  // tls.Server marks its sockets connected once secure; a TLSSocket made by hand stays
  // `secureConnecting`, and node:http2 then waits forever for a 'secureConnect' that a server
  // socket never emits (the session never starts, and HTTP/2 over TLS fails).
  (socket as unknown as { secureConnecting: boolean }).secureConnecting = false;
}
