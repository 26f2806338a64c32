/**
 * Every other path and method: the harness's routes (see ../../../harness.ts),
 * answered by a route handler. Each call is counted by the test process
 * (BARBICAN_NEXT_CALLS) before the response leaves, so a test can tell
 * whether the app ran.
 */
export const dynamic = 'force-dynamic';

async function handler(request: Request): Promise<Response> {
  const calls = process.env['BARBICAN_NEXT_CALLS'];
  if (calls !== undefined) await fetch(calls, { method: 'POST' });
  const path = new URL(request.url).pathname;
  const headers = new Headers({ 'Content-Type': 'text/html' });
  if (path === '/fingerprint') {
    headers.set('X-Powered-By', 'PHP/8.3');
    headers.set('Server', 'Apache/2.4');
  }
  if (path === '/override' || path === '/route-handler') headers.set('X-Frame-Options', 'handler');
  return new Response('ok', { headers });
}

export {
  handler as GET,
  handler as HEAD,
  handler as POST,
  handler as PUT,
  handler as PATCH,
  handler as DELETE,
  handler as OPTIONS,
};
