import type { TargetForm } from './request-head.js';

/**
 * The form of the request-target in b[s, e) (RFC 9112 §3.2), or null when it has none of them.
 * Its bytes are already known to be visible ASCII.
 */
export function targetForm(b: Buffer, s: number, e: number, isConnect: boolean): TargetForm | null {
  const c0 = b[s];
  if (isConnect) {
    // authority-form = uri-host ":" port, and only for CONNECT (RFC 9112 §3.2.3).
    let colon = -1;
    for (let i = s; i < e; i++) {
      const c = b[i];
      if (c === 0x2f || c === 0x40 || c === 0x3f || c === 0x23) return null; // / @ ? #
      if (c === 0x3a) colon = i;
    }
    if (colon <= s) return null;
    for (let i = colon + 1; i < e; i++) if (b[i] < 0x30 || b[i] > 0x39) return null;
    return 'authority';
  }
  if (c0 === 0x2f /* / */) return 'origin';
  if (c0 === 0x2a /* * */) return e - s === 1 ? 'asterisk' : null;
  // absolute-form starts with a scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
  if (!isAlpha(c0)) return null;
  for (let i = s + 1; i < e; i++) {
    const c = b[i];
    if (c === 0x3a) return 'absolute';
    if (!isAlpha(c) && !(c >= 0x30 && c <= 0x39) && c !== 0x2b && c !== 0x2d && c !== 0x2e) return null;
  }
  return null;
}

/** The form of a target that `targetForm` already accepted, from its string. */
export function knownTargetForm(target: string, isConnect: boolean): TargetForm {
  if (isConnect) return 'authority';
  const c0 = target.charCodeAt(0);
  return c0 === 0x2f ? 'origin' : c0 === 0x2a ? 'asterisk' : 'absolute';
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
