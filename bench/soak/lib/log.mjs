// Progress lines on stderr (stdout carries only the summary) and number formats for them.
export const log = (message) => process.stderr.write(`soak: ${message}\n`);
export const count = (n) => Math.round(n).toLocaleString('en-US');
export const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
export const percent = (fraction, digits = 1) => `${(100 * fraction).toFixed(digits)} %`;
