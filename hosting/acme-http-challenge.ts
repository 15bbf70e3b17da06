import type { HttpApplication, HttpExchange } from '../protocols/http/index.js';
import { ACME_HTTP_CHALLENGE_PREFIX, type AcmeChallenges } from '../protocols/tls/configuration.js';

/**
 * `app` behind the HTTP-01 responder (RFC 8555 §8.3): a request for
 * `/.well-known/acme-challenge/<token>` is answered with the token's key authorization while an
 * order awaits it (this server's, or another instance's that published it in a shared store),
 * and with 404 otherwise; it never reaches the app, so no route, auth or redirect of the app's
 * can hide the challenge from the CA. Every other request goes to the app.
 */
export function acmeHttpChallenges(app: HttpApplication, challenges: AcmeChallenges): HttpApplication {
  return {
    handle(exchange: HttpExchange): void | Promise<void> {
      const target = exchange.target;
      if (!target.startsWith(ACME_HTTP_CHALLENGE_PREFIX)) return app.handle(exchange);
      const token = target.slice(ACME_HTTP_CHALLENGE_PREFIX.length);
      const keyAuthorization = challenges.httpResponse(token);
      if (keyAuthorization !== undefined) return answer(exchange, keyAuthorization);
      return challenges.sharedAnswer(token).then((shared) => answer(exchange, shared));
    },
  };
}

function answer(exchange: HttpExchange, keyAuthorization: string | undefined): void {
  exchange.responseHeaders.set('content-type', 'application/octet-stream');
  exchange.responseHeaders.set('cache-control', 'no-store');
  exchange.statusCode = keyAuthorization === undefined ? 404 : 200;
  exchange.end(keyAuthorization);
}
