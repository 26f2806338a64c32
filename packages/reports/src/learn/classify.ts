/**
 * What one CSP violation teaches: a source to allow in a directive, a
 * nonce to use, or a refusal with its reason. Pure data in, data out.
 *
 * @module
 */
import type { ReportRecord } from '../model.ts';

/** A verdict on one violation. */
export type Lesson =
  | {
      readonly kind: 'allow';
      readonly directive: string;
      readonly source: string;
      readonly note?: string;
    }
  | { readonly kind: 'nonce'; readonly directive: 'script-src' | 'style-src' }
  | {
      readonly kind: 'refuse';
      readonly directive: string;
      readonly source: string;
      readonly reason: string;
    };

/** Directive names reports use → the directive a policy should set. */
const FAMILY: Readonly<Record<string, string>> = {
  'script-src-elem': 'script-src',
  'style-src-elem': 'style-src',
};

/** Directives never widened from traffic, and why. */
const NOT_LEARNED: Readonly<Record<string, string>> = {
  'frame-ancestors':
    'who may frame your pages is a decision, not something to learn from traffic (clickjacking); add a parent origin by hand if it is yours',
  'base-uri': "a changed <base> is the signature of an injection; keep base-uri at 'self'",
  'object-src': "plugins are obsolete and a script-execution path; keep object-src 'none'",
  'default-src': 'reports name the specific directive; default-src is not widened',
};

/** Inline attributes: never allowed from traffic, and why. */
const ATTRIBUTE_REASONS: Readonly<Record<string, string>> = {
  'script-src-attr':
    "an inline event handler (onclick=…): move it into a script carrying the nonce and use addEventListener; 'unsafe-inline' and 'unsafe-hashes' are refused",
  'style-src-attr':
    "a style attribute: move it into a stylesheet or a <style> carrying the nonce; 'unsafe-inline' is refused",
};

/** Where `data:` and `blob:` carry content, not code. */
const DATA_OK = new Set(['img-src', 'font-src', 'media-src']);
const BLOB_OK = new Set(['img-src', 'media-src', 'worker-src', 'child-src', 'frame-src']);
const WEB_SCHEMES = new Set(['https:', 'http:', 'wss:', 'ws:']);

const REFUSE_EVAL =
  "'unsafe-eval' is refused: code calls eval(), new Function() or setTimeout with a string; rewrite it (or add 'unsafe-eval' by hand, knowing injected strings could then run as code)";

function keyword(directive: string, blocked: string): Lesson {
  const refuse = (reason: string): Lesson => ({
    kind: 'refuse',
    directive,
    source: blocked,
    reason,
  });
  switch (blocked) {
    case 'inline':
      if (directive === 'script-src' || directive === 'style-src')
        return { kind: 'nonce', directive };
      return refuse(
        ATTRIBUTE_REASONS[directive] ??
          "'unsafe-inline' is refused: serve the content from a file or with the nonce",
      );
    case 'eval':
      return refuse(REFUSE_EVAL);
    case 'wasm-eval':
      return directive === 'script-src'
        ? {
            kind: 'allow',
            directive,
            source: "'wasm-unsafe-eval'",
            note: 'compiles WebAssembly only; JavaScript eval stays blocked',
          }
        : refuse('WebAssembly compilation belongs in script-src');
    case 'data':
      return DATA_OK.has(directive)
        ? { kind: 'allow', directive, source: 'data:' }
        : refuse(`data: in ${directive} would let injected markup supply code or documents inline`);
    case 'blob':
      return BLOB_OK.has(directive)
        ? { kind: 'allow', directive, source: 'blob:' }
        : refuse(`blob: in ${directive} would let any script that can build a Blob run it`);
    default:
      return refuse('a bare scheme or unknown keyword is too broad to allow');
  }
}

function origin(url: string | null): URL | undefined {
  if (url === null) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function address(directive: string, blocked: string, document: URL | undefined): Lesson {
  const refuse = (reason: string): Lesson => ({
    kind: 'refuse',
    directive,
    source: blocked,
    reason,
  });
  const url = origin(blocked);
  if (url === undefined) return refuse('not a URL the policy could name');
  if (!WEB_SCHEMES.has(url.protocol)) {
    return refuse(
      `${url.protocol} resources come from the browser or an extension, not from the site`,
    );
  }
  if (document !== undefined && url.origin === document.origin) {
    return { kind: 'allow', directive, source: "'self'" };
  }
  if (document?.protocol === 'https:' && (url.protocol === 'http:' || url.protocol === 'ws:')) {
    return refuse('mixed content: load it over https (browsers block or upgrade it anyway)');
  }
  return { kind: 'allow', directive, source: `${url.protocol}//${url.host}` };
}

/**
 * The lesson of one stored CSP violation (undefined when it teaches
 * nothing: no directive, or nothing blocked).
 *
 * @example
 * ```ts
 * classify({ ...record, directive: 'img-src', blockedUrl: 'https://cdn.example/a.png' });
 * // { kind: 'allow', directive: 'img-src', source: 'https://cdn.example' }
 * ```
 */
export function classify(record: ReportRecord): Lesson | undefined {
  const reported = record.directive;
  const blocked = record.blockedUrl;
  if (reported === null || blocked === null) return undefined;
  const directive = FAMILY[reported] ?? reported;
  const fixed = NOT_LEARNED[directive];
  if (fixed !== undefined) return { kind: 'refuse', directive, source: blocked, reason: fixed };
  if (!blocked.includes(':')) return keyword(directive, blocked);
  return address(directive, blocked, origin(record.url));
}
