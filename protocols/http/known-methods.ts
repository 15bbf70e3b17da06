/**
 * The methods the server recognises: the IANA HTTP Method Registry (RFC 9110 §16.1 and the
 * WebDAV/versioning extensions) plus those llhttp and node:http accept (PURGE, SOURCE, the SSDP
 * M-SEARCH/NOTIFY/SUBSCRIBE/UNSUBSCRIBE). PRI is not here: it is the HTTP/2 preface.
 *
 * RFC 9110 §9.1: "An origin server that receives a request method that is unrecognized or not
 * implemented SHOULD respond with the 501 (Not Implemented) status code." A closed list also keeps
 * tiercel in step with the proxies in front of it, which refuse unknown methods too. An app with a
 * method of its own adds it with the `extraMethods` option.
 */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'ACL', 'BASELINE-CONTROL', 'BIND', 'CHECKIN', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD',
  'LABEL', 'LINK', 'LOCK', 'MERGE', 'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MKREDIRECTREF', 'MKWORKSPACE',
  'MOVE', 'OPTIONS', 'ORDERPATCH', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH', 'PUT', 'QUERY', 'REBIND',
  'REPORT', 'SEARCH', 'TRACE', 'UNBIND', 'UNCHECKOUT', 'UNLINK', 'UNLOCK', 'UPDATE', 'UPDATEREDIRECTREF',
  'VERSION-CONTROL',
  'PURGE', 'SOURCE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE',
]);
