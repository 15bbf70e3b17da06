/**
 * A typed key into a `FeatureCollection`. Features are how a layer exposes optional detail
 * (the socket, TLS state, the peer's credentials) without widening `ConnectionContext`.
 */
export class FeatureKey {
    name;
    constructor(name) {
        this.name = name;
    }
    toString() {
        return `FeatureKey(${this.name})`;
    }
}
export class FeatureCollection {
    #map = new Map();
    get(key) {
        return this.#map.get(key);
    }
    set(key, value) {
        if (value === undefined)
            this.#map.delete(key);
        else
            this.#map.set(key, value);
    }
    has(key) {
        return this.#map.has(key);
    }
    *[Symbol.iterator]() {
        yield* this.#map;
    }
}
export const SocketFeature = new FeatureKey('socket');
export const TransportFeature = new FeatureKey('transport');
export const LifetimeFeature = new FeatureKey('lifetime');
export const TlsFeature = new FeatureKey('tls');
//# sourceMappingURL=features.js.map