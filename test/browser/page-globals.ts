// The browser globals the page functions in these tests use. The project compiles with Node's
// types and no DOM lib, so a function passed to `page.evaluate` reaches the page's globals
// through `globalThis as unknown as PageGlobals`; this file is types only (nothing reaches the page).

export interface PageMessageEvent {
  readonly data: string | ArrayBuffer;
}

export interface PageCloseEvent {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

export interface PageWebSocket {
  binaryType: 'blob' | 'arraybuffer';
  readonly readyState: number;
  readonly protocol: string;
  onopen: (() => void) | null;
  onerror: (() => void) | null;
  onmessage: ((e: PageMessageEvent) => void) | null;
  onclose: ((e: PageCloseEvent) => void) | null;
  send(data: string | ArrayBuffer | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export interface PageTiming {
  readonly name: string;
  readonly nextHopProtocol: string;
}

export interface PageGlobals {
  readonly location: { readonly href: string; readonly host: string; readonly protocol: string };
  readonly isSecureContext: boolean;
  readonly performance: {
    getEntriesByType(type: 'navigation' | 'resource'): PageTiming[];
    getEntriesByName(name: string, type?: string): PageTiming[];
  };
  readonly WebSocket: new (url: string) => PageWebSocket;
}
