/**
 * The HTML facts Observatory reads from a page body: `<meta http-equiv>`
 * Content-Security-Policy values, `<meta name="referrer">`, and the
 * `<script>` elements with their `src` and `integrity`.
 *
 * Parsed with parse5 (the WHATWG tree builder, as browsers and jsdom use),
 * with scripting disabled as jsdom does, so `<noscript>` content is markup.
 * Template contents are not searched, as `querySelectorAll` does not.
 *
 * @module
 */
import { parse, parseFragment, type DefaultTreeAdapterMap } from 'parse5';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const HTML_NS: string = 'http://www.w3.org/1999/xhtml';

/** Upper bound on elements visited, so a hostile body cannot stall the scan. */
const MAX_NODES = 200_000;

function attr(el: Element, name: string): string | null {
  for (const a of el.attrs) if (a.name === name) return a.value;
  return null;
}

/** Elements in document order, not entering template contents. */
function elements(root: Node): Element[] {
  const out: Element[] = [];
  const stack: Node[] = [root];
  let visited = 0;
  while (stack.length > 0 && visited < MAX_NODES) {
    const node = stack.pop();
    visited++;
    if (node === undefined) break;
    if ('tagName' in node) out.push(node);
    if ('childNodes' in node) {
      for (let i = node.childNodes.length - 1; i >= 0; i--) {
        const child = node.childNodes[i];
        if (child !== undefined) stack.push(child);
      }
    }
  }
  return out;
}

/** What Observatory's retriever calls the `httpEquiv` map. */
export interface HttpEquiv {
  /** Every non-empty `<meta http-equiv="content-security-policy" content>` value, in order. */
  readonly csp: readonly string[];
  /** The last `<meta name="referrer" content>` value (Observatory keeps only one). */
  readonly referrer: string | undefined;
}

/**
 * Collects http-equiv values the way Observatory 1.4.x does: anywhere in the
 * markup (not only `<head>`), CSP only from metas that carry both
 * `http-equiv` and `content`, and the referrer meta only from metas that do
 * not.
 */
export function httpEquiv(html: string): HttpEquiv {
  const csp: string[] = [];
  let referrer: string | undefined;
  for (const el of elements(parseFragment(html, { scriptingEnabled: false }))) {
    if (el.tagName !== 'meta') continue;
    const equiv = attr(el, 'http-equiv');
    const content = attr(el, 'content');
    if (equiv !== null && content !== null) {
      if (content !== '' && equiv.trim().toLowerCase() === 'content-security-policy') {
        csp.push(content);
      }
    } else if (attr(el, 'name')?.trim().toLowerCase() === 'referrer') {
      if (content) referrer = content;
    }
  }
  return { csp, referrer };
}

/**
 * Every `<meta name="NAME" content>` value in document order (NAME compared
 * ASCII case-insensitively), parsed as a browser parses the document. For
 * the reviewer, which follows HTML rather than Observatory: the referrer
 * metas are processed in order and the last valid one wins.
 *
 * @see https://html.spec.whatwg.org/multipage/semantics.html#meta-referrer
 */
export function metaContents(html: string, name: string): string[] {
  const out: string[] = [];
  for (const el of elements(parse(html, { scriptingEnabled: false }))) {
    if (el.tagName !== 'meta' || attr(el, 'name')?.trim().toLowerCase() !== name) continue;
    const content = attr(el, 'content');
    if (content !== null) out.push(content);
  }
  return out;
}

/** One `<script>` element as Observatory sees it. */
export interface ScriptTag {
  /**
   * The `src` as the DOM property reports it in a document at `about:blank`:
   * absolute URLs serialised, anything that does not resolve kept verbatim;
   * empty when absent.
   */
  readonly src: string;
  readonly integrity: string | null;
}

/** Resolves `value` as jsdom's `script.src` does against `base` (or nothing). */
function reflectUrl(value: string, base: string | undefined): string {
  try {
    return base === undefined ? new URL(value).href : new URL(value, base).href;
  } catch {
    return value;
  }
}

/** Every `<script>` element in the document (HTML and SVG), in order. */
export function scripts(html: string): ScriptTag[] {
  const all = elements(parse(html, { scriptingEnabled: false }));
  // A document at about:blank has no base URL for relative references,
  // unless a <base href> with an absolute URL provides one.
  let base: string | undefined;
  for (const el of all) {
    if (el.tagName !== 'base' || (el.namespaceURI as string) !== HTML_NS) continue;
    const href = attr(el, 'href');
    if (href === null) continue;
    try {
      base = new URL(href).href;
    } catch {
      // An unresolvable base is ignored, leaving about:blank.
    }
    break;
  }
  const out: ScriptTag[] = [];
  for (const el of all) {
    if (el.tagName !== 'script') continue;
    const isHtml = (el.namespaceURI as string) === HTML_NS;
    const raw = isHtml ? attr(el, 'src') : null;
    out.push({
      src: raw === null ? '' : reflectUrl(raw, base),
      integrity: isHtml ? attr(el, 'integrity') : null,
    });
  }
  return out;
}
