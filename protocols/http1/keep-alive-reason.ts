import { HTTP1_END_REASONS } from '../../connection/index.js';

/**
 * Why an HTTP/1.x connection serves no more requests: the closed set passed to
 * `Http1Connection.disableKeepAlive` (`HTTP1_END_REASONS`, described where every connection end
 * reason is, connection/connection-end-reason.ts).
 */
export const KEEP_ALIVE_END_REASONS = HTTP1_END_REASONS;

export type KeepAliveEndReason = (typeof KEEP_ALIVE_END_REASONS)[number];
