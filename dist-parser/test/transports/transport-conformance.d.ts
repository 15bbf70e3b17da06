import type { Duplex } from 'node:stream';
import { type Endpoint, type Transport, type TransportOptions } from '../../connection/index.js';
/** What a transport's test file gives the suite; the factory makes a fresh one for each case. */
export interface ConformanceSubject {
    readonly transport: Transport;
    /** What to bind (unique per case: a fresh path, name or port 0). */
    readonly endpoint: Endpoint;
    readonly bindOptions?: TransportOptions;
    /** Opens a client to the bound endpoint; resolves once connected, rejects when refused. */
    connect(bound: Endpoint): Promise<Duplex>;
    /** File descriptors one connection costs this process (client and server end), for the fd limit. */
    readonly fdsPerConnection: number;
    /** Whether accepted connections carry a `SocketFeature`. */
    readonly socketBacked: boolean;
    /** Removes what the case left behind (a temp directory). */
    cleanup?(): Promise<void>;
}
export type SubjectFactory = () => ConformanceSubject | Promise<ConformanceSubject>;
export declare function transportConformance(name: string, factory: SubjectFactory): void;
