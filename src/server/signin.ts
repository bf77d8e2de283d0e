/**
 * Signing in on the page (`auth: token`): a form that posts the token to
 * /login, which answers with a signed session cookie (HttpOnly,
 * SameSite=Strict, Secure and `__Host-` over TLS) and sends the browser back
 * to the page. /logout ends the session on the server too (session.ts).
 * Works without JavaScript.
 */
import type { FastifyInstance } from 'fastify';
import { secretMatches, type Guard } from './guard.js';
import { htmlHead } from './page.js';
import { readCookie, sessionCookie, sessionCookieName } from './session.js';

const esc = (v: string): string => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderSignIn(message = ''): string {
  return `${htmlHead('ddnsd: sign in')}
<body>
<header><h1>ddnsd status</h1></header>
<main><section id="sign-in" aria-labelledby="h-sign-in"><h2 id="h-sign-in">Sign in</h2>
<form id="sign-in-form" method="post" action="/login">
<label for="token">Token (server.token in the config)</label>
<input id="token" name="token" type="password" required autocomplete="current-password">
<button type="submit">Sign in</button>
</form>
<p id="sign-in-message" class="problem" role="alert">${esc(message)}</p>
</section></main>
</body>
</html>
`;
}

export function registerSignIn(app: FastifyInstance, guard: Guard, now: () => number): void {
  // Its own scope, so only /login and /logout take form bodies; everything else still answers them 415.
  void app.register(async (scope) => signInRoutes(scope, guard, now));
}

function signInRoutes(app: FastifyInstance, guard: Guard, now: () => number): void {
  const { settings } = guard;
  const secure = Boolean(settings.tls);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  const page = (code: number, message: string) => (reply: import('fastify').FastifyReply) => reply.code(code).type('text/html; charset=utf-8').send(renderSignIn(message));

  app.post<{ Body: { token?: unknown } | undefined }>('/login', { config: { access: 'public' } }, async (req, reply) => {
    if (settings.auth !== 'token') return reply.code(404).send({ error: 'not found: signing in on the page is for server.auth: token' });
    const wait = guard.blockedFor(req);
    if (wait > 0) {
      return page(
        429,
        `Too many failed sign-ins (from this address, or from everyone together); try again in ${Math.ceil(wait / 1000)} s.`,
      )(reply.header('retry-after', String(Math.ceil(wait / 1000))));
    }
    const given = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    if (!secretMatches(given, settings.token)) {
      guard.failed(req, 'wrong token on the sign-in page');
      return page(401, 'That is not the token: use the value of server.token from the config.')(reply);
    }
    return reply
      .code(303)
      .header('set-cookie', sessionCookie(guard.sessions.sign(now()), secure))
      .header('location', '/')
      .send();
  });

  app.post('/logout', { config: { access: 'public' } }, async (req, reply) => {
    const cookie = readCookie(req.headers.cookie, sessionCookieName(secure));
    if (cookie !== undefined) await guard.sessions.revoke(cookie, now());
    return reply.code(303).header('set-cookie', sessionCookie('', secure)).header('location', '/').send();
  });
}
