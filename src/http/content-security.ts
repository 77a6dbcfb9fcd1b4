/**
 * The one Content-Security-Policy of the operator listener (API and console alike): everything
 * from this origin only, no inline script, no eval, no plugins, not framed. `blob:` images are the
 * snapshots the console fetches with its bearer token; `upgrade-insecure-requests` only on HTTPS
 * (on a loopback plain-HTTP listener it would send the browser to a port that does not speak TLS).
 */
export function contentSecurityDirectives(https: boolean): Record<string, string[]> {
  return {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "script-src-attr": ["'none'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "blob:", "data:"],
    "media-src": ["'self'", "blob:"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    ...(https ? { "upgrade-insecure-requests": [] } : {}),
  };
}
