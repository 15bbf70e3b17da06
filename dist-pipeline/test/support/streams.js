import { once } from 'node:events';
/** Reads from `stream` until `predicate(text so far)` holds or the stream ends; returns the text. */
export async function readUntil(stream, predicate, timeoutMs = 5_000) {
    let text = '';
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            cleanup();
            reject(new Error(`timed out after ${timeoutMs} ms; got ${JSON.stringify(text.slice(0, 500))}`));
        }, timeoutMs);
        const onData = (d) => {
            text += d.toString('latin1');
            if (predicate(text)) {
                cleanup();
                resolve(text);
            }
        };
        const onEnd = () => {
            cleanup();
            resolve(text);
        };
        const cleanup = () => {
            clearTimeout(timer);
            stream.off('data', onData);
            stream.off('end', onEnd);
            stream.off('close', onEnd);
        };
        stream.on('data', onData);
        stream.on('end', onEnd);
        stream.on('close', onEnd);
        stream.resume();
    });
}
/** Everything the stream sends until it ends or closes. */
export function readAll(stream, timeoutMs = 5_000) {
    return readUntil(stream, () => false, timeoutMs);
}
/** Resolves when the stream has closed (both sides done). */
export async function closed(stream) {
    if (stream.destroyed)
        return;
    await once(stream, 'close');
}
export function delay(ms) {
    return new Promise((r) => setTimeout(r, ms));
}
//# sourceMappingURL=streams.js.map