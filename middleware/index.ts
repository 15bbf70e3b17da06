// middleware/: request middleware shipped with tiercel, one folder each. Built on the pipeline
// (and the connection and protocols/http contracts); hosting may wire them in.
export * from './forwarded/index.js';
