// The request-target and Host rules as data, shared by the parser's tests (every split point),
// the HTTP/1.1 tests over real sockets and the HTTP/2 :authority test, so each rule is stated once.
import { RequestRejectionReason as R } from '../../../protocols/http1/rejection.js';
import type { TargetForm } from '../../../protocols/http1/request-head.js';

/** Request lines (without the version) the parser refuses, with the reason; every one is a 400. */
export const targetRejections: [string, R][] = [
  // absolute-form: http(s) only, with a non-empty host and no userinfo (RFC 9110 §4.2.1, §4.2.4)
  ['GET http:///x', R.InvalidRequestTarget],
  ['GET http://', R.InvalidRequestTarget],
  ['GET https://?q=1', R.InvalidRequestTarget],
  ['GET http://:80/x', R.InvalidRequestTarget],
  ['GET http://user@a.example/x', R.InvalidRequestTarget],
  ['GET http://user:pw@a.example:80/x', R.InvalidRequestTarget],
  ['GET http://@a.example/', R.InvalidRequestTarget],
  ['GET HTTPS://user@a.example/', R.InvalidRequestTarget],
  ['GET http:/x', R.InvalidRequestTarget],
  ['GET http:x', R.InvalidRequestTarget],
  ['GET ftp://a.example/x', R.InvalidRequestTarget],
  ['GET ws://a.example/chat', R.InvalidRequestTarget],
  ['GET mailto:a@b.example', R.InvalidRequestTarget],
  ['GET httpx://a.example/', R.InvalidRequestTarget],
  ['GET http://a%zz.example/', R.InvalidRequestTarget],
  ['GET http://[::1/x', R.InvalidRequestTarget],
  ['GET http://[1.2.3.4]/', R.InvalidRequestTarget],
  ['GET http://a.example:8o/', R.InvalidRequestTarget],
  ['GET http://a.example:80:80/', R.InvalidRequestTarget],
  // asterisk-form only for OPTIONS (§3.2.4)
  ['GET *', R.OptionsMethodRequired],
  ['POST *', R.OptionsMethodRequired],
  ['M-SEARCH *', R.OptionsMethodRequired],
  ['OPTIONS *x', R.InvalidRequestTarget],
  // authority-form only for CONNECT, and CONNECT only with it (§3.2.3); a port 1-65535 (RFC 9110 §9.3.6)
  ['GET a.example:443', R.ConnectMethodRequired],
  ['POST [::1]:8080', R.ConnectMethodRequired],
  ['OPTIONS a.example:443', R.ConnectMethodRequired],
  ['CONNECT /x', R.InvalidRequestTarget],
  ['CONNECT *', R.InvalidRequestTarget],
  ['CONNECT http://a.example:443', R.InvalidRequestTarget],
  ['CONNECT a.example', R.InvalidRequestTarget],
  ['CONNECT a.example:', R.InvalidRequestTarget],
  ['CONNECT a.example:0', R.InvalidRequestTarget],
  ['CONNECT a.example:65536', R.InvalidRequestTarget],
  ['CONNECT a.example:99999999999999999999', R.InvalidRequestTarget],
  ['CONNECT :443', R.InvalidRequestTarget],
  ['CONNECT user@a.example:443', R.InvalidRequestTarget],
  ['CONNECT a%zz:443', R.InvalidRequestTarget],
  ['CONNECT [::1]x:443', R.InvalidRequestTarget],
  ['CONNECT [::g]:443', R.InvalidRequestTarget],
];

/** Request lines (without the version) that are served, with the form the parser reports. */
export const acceptedTargets: [string, TargetForm][] = [
  ['OPTIONS *', 'asterisk'],
  ['GET HTTP://A.example/x', 'absolute'],
  ['GET hTtPs://a.example?q=@', 'absolute'],
  ['GET http://a.example#frag', 'absolute'],
  ['GET http://a.example/p@th', 'absolute'],
  ['GET http://[::1]:8080/x', 'absolute'],
  ['GET http://[v7.a:b]/', 'absolute'],
  ['GET http://a%41.example:/x', 'absolute'],
  ['OPTIONS http://a.example', 'absolute'],
  ['CONNECT a.example:1', 'authority'],
  ['CONNECT a.example:65535', 'authority'],
  ['CONNECT home_0.a.example:0443', 'authority'],
  ['CONNECT [::ffff:192.0.2.1]:443', 'authority'],
];

/** Host values that are RFC 3986 `host [ ":" port ]` (host = IP-literal / IPv4address / reg-name), or empty. */
export const validHosts = [
  '', 'a', 'a:', 'a:80', 'a.example:08080', 'EXAMPLE.com', '0.0.0.0=5000', '999.999.999.999', 'home_0.a-b.example',
  "!$&'()*+,;=", '-._~', 'a%41b', '%41', '%e2%82%AC.example',
  '[::]', '[::1]', '[::1]:80', '[::1]:', '[1:2:3:4:5:6:7:8]', '[1::]', '[1:2:3:4:5:6:7::]', '[::2:3:4:5:6:7:8]',
  '[fe80::1:2]', '[FE80::ABCD]', '[::ffff:192.0.2.1]', '[1:2:3:4:5:6:1.2.3.4]', '[::255.255.255.255]',
  '[v7.a:b]', '[V1A.x]', "[v1.!$&'()*+,;=-._~:]",
];
/** Host values that are not: Host, an absolute-form authority and HTTP/2's :authority refuse them alike. */
export const invalidHosts = [
  ':', ':80', 'a b', 'a/b', 'a@b', 'user@a:80', 'a:80x', 'a:8 0', 'a:-1', 'a:80:90', 'a?', 'a#', 'a\\b', 'a"b', 'é.example', 'a\u0100',
  'a%', 'a%4', 'a%zz', 'a%4g', '%', 'a%%41',
  '[', '[]', '[::1', '[::1]x', '[::1]]', '[::1]:8o', 'x[::1]', '[1.2.3.4]', '[a.b]', '[::g]', '[:::]', '[:1::]', '[1:]',
  '[1:2:3:4:5:6:7:8:9]', '[1:2:3:4:5:6:7:8::]', '[::1:2:3:4:5:6:7:8]', '[1::2::3]', '[12345::]', '[1:2:3:4:5:6:7:1.2.3.4]',
  '[::1.2.3.256]', '[::01.2.3.4]', '[::1.2.3]', '[::1.2.3.4.5]', '[::1.2.3.4:5]', '[1.2.3.4::]', '[fe80::1%25eth0]', '[fe80::1%eth0]',
  '[v.x]', '[v1]', '[v1.]', '[vx.a]', '[v1.a/b]', '[v1.a@b]',
];
