/**
 * What a failed connect says about the next one: a configuration error no retry will fix (so
 * open() fails at once instead of at its deadline), or a refusal (the server is restarting, so the
 * next attempt should come soon).
 */

/**
 * Access denied (1044, 1045), unknown database (1049), TLS requested but disabled on the server
 * (45023).
 */
const FATAL_ERRNOS = new Set([1044, 1045, 1049, 45023]);
/** Certificate verification failures. */
const FATAL_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** True for a configuration error that retrying cannot fix. */
export function isFatalConnectError(error: unknown): boolean {
  const { errno, code } = (error ?? {}) as { errno?: number; code?: string };
  return (errno !== undefined && FATAL_ERRNOS.has(errno)) || (code !== undefined && FATAL_CODES.has(code));
}

/** True when nothing listens on the port: the server is down or restarting. */
export function isRefused(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === 'ECONNREFUSED';
}
