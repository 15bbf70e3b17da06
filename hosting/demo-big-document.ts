// The demo's /big.json document, in a module of its own with no imports: the benchmark's fastify
// server serves the very same document without loading tiercel (which would count in its RSS).

/** The items of /big.json: made once; the document is serialised per request, as an API would. */
const BIG_ITEMS = Array.from({ length: 164 }, (_, i) => ({
  id: i + 1,
  name: `Product ${i + 1}`,
  sku: `TC-${String(10_000 + i * 7)}`,
  price: Math.round((9.99 + i * 1.25) * 100) / 100,
  inStock: i % 3 !== 0,
  tags: ['demo', i % 2 === 0 ? 'even' : 'odd'],
}));

/** About 16 KiB of JSON (checked by the demo-app test), compressible as real API answers are. */
export function bigDocument(): { count: number; items: typeof BIG_ITEMS } {
  return { count: BIG_ITEMS.length, items: BIG_ITEMS };
}
