import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestServer } from '../../../hosting/index.js';
import { readAll, readUntil, delay } from '../../support/streams.js';
// A raw HttpApplication (no pipeline): the protocol adapter's own contract.
const hello = {
    handle(ex) {
        ex.responseHeaders.set('content-type', 'text/plain');
        ex.end(`${ex.method} ${ex.target}`);
    },
};
test('undici over the in-memory transport gets a response through the real parser', async () => {
    const ts = await TestServer.start(hello);
    try {
        const res = await ts.fetch('/a?b=1');
        assert.is(res.status, 200);
        assert.is(await res.text(), 'GET /a?b=1');
        assert.is(res.headers.get('content-length'), '10');
        assert.is(res.headers.get('server'), 'tiercel');
        assert.ok(res.headers.get('date'));
    }
    finally {
        await ts.stop();
    }
});
test('pipelined requests are answered in order in one batch', async () => {
    const ts = await TestServer.start(hello);
    try {
        const c = ts.connect();
        let req = '';
        for (let i = 0; i < 16; i++)
            req += `GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
        c.write(req);
        const text = await readUntil(c, (t) => t.includes('GET /15'));
        for (let i = 0; i < 16; i++)
            assert.ok(text.includes(`GET /${i}`));
        assert.ok(text.indexOf('GET /3') < text.indexOf('GET /4'));
        c.end();
    }
    finally {
        await ts.stop();
    }
});
test('a slow handler delays only the responses after it', async () => {
    const app = {
        async handle(ex) {
            if (ex.target === '/slow')
                await delay(50);
            ex.end(ex.target);
        },
    };
    const ts = await TestServer.start(app);
    try {
        const c = ts.connect();
        c.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        const text = await readAll(c);
        const a = text.indexOf('/fast'), b = text.indexOf('/slow'), d = text.indexOf('/after');
        assert.ok(a > 0 && b > a && d > b, text);
        assert.ok(text.includes('connection: close'));
    }
    finally {
        await ts.stop();
    }
});
test('a bad request gets 400 and the connection closes', async () => {
    const ts = await TestServer.start(hello);
    try {
        const c = ts.connect();
        c.write('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n');
        const text = await readAll(c);
        assert.ok(text.startsWith('HTTP/1.1 400 Bad Request\r\n'), text);
        assert.ok(text.includes('connection: close'));
    }
    finally {
        await ts.stop();
    }
});
test.run();
//# sourceMappingURL=http1-connection.test.js.map