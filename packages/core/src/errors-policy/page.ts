/**
 * The built-in error page: what a client sees instead of an upstream error
 * body when `errors.intercept` catches the status. One text, shipped as
 * data, so the gateway and every export (nginx `error_page`, Apache
 * `ErrorDocument`, Caddy `handle_errors`…) serve the same bytes.
 *
 * It reveals nothing: no server name or version, no status text, no request
 * detail, no link. It has no script, no style and no external resource, so
 * it renders under any Content-Security-Policy (even `default-src 'none'`)
 * without a violation report.
 *
 * @module
 */

/**
 * The built-in generic error page (HTML, UTF-8, ASCII only).
 *
 * @example
 * ```ts
 * res.writeHead(502, { 'content-type': DEFAULT_ERROR_PAGE_CONTENT_TYPE });
 * res.end(DEFAULT_ERROR_PAGE);
 * ```
 */
export const DEFAULT_ERROR_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Something went wrong</title>
</head>
<body>
<h1>Something went wrong</h1>
<p>The server could not complete your request. Please try again in a few minutes.</p>
</body>
</html>
`;

/** The Content-Type to send {@link DEFAULT_ERROR_PAGE} with. */
export const DEFAULT_ERROR_PAGE_CONTENT_TYPE = 'text/html; charset=utf-8';
