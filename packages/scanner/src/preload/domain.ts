/**
 * hstspreload's offline domain checks: the name's format, and that it is a
 * registrable domain (eTLD+1) rather than a subdomain, with the Public
 * Suffix List including private suffixes (as Go's `publicsuffix` does).
 *
 * @see https://github.com/chromium/hstspreload (domain.go)
 * @module
 */
import { isIP } from 'node:net';
import { getDomain, getPublicSuffix } from 'tldts';
import type { PreloadIssues } from './header.ts';

const PSL = { allowPrivateDomains: true } as const;

/**
 * Format errors stop the whole check, so at most one is returned. The order
 * is hstspreload's: dots, public suffix, characters, IP literal.
 */
export function checkDomainFormat(domain: string): PreloadIssues {
  const error = (code: string, message: string): PreloadIssues => ({
    errors: [{ code, message }],
    warnings: [],
  });
  if (domain.startsWith('.'))
    return error('domain.format.begins_with_dot', 'The domain must not begin with `.`.');
  if (domain.endsWith('.'))
    return error('domain.format.ends_with_dot', 'The domain must not end with `.`.');
  if (domain.includes('..'))
    return error('domain.format.contains_double_dot', 'The domain must not contain `..`.');
  // A single-label name such as `localhost` is its own public suffix under
  // the PSL's default `*` rule.
  if (getPublicSuffix(domain, PSL) === domain)
    return error(
      'domain.format.public_suffix',
      `\`${domain}\` is a TLD or public suffix (https://publicsuffix.org/); only registrable domains can be preloaded this way.`,
    );
  if (!/^[a-z0-9.-]*$/.test(domain.toLowerCase()))
    return error(
      'domain.format.invalid_characters',
      'The domain may contain only letters, digits, dashes and dots.',
    );
  // Browsers never record HSTS for IP literals (RFC 6797 §8.1.1).
  if (isIP(domain) !== 0)
    return error(
      'domain.format.is_ip_address',
      'The preload list holds domains, not IP addresses.',
    );
  return { errors: [], warnings: [] };
}

/**
 * Only whole registrable domains can be submitted: a subdomain's entry
 * would not cover its siblings, and the list would grow without bound.
 */
export function checkDomainLevel(domain: string): PreloadIssues {
  const etld1 = getDomain(domain, PSL);
  if (etld1 === null || etld1 === '')
    return {
      errors: [
        { code: 'internal.domain.name.cannot_compute_etld1', message: 'Could not compute eTLD+1.' },
      ],
      warnings: [],
    };
  if (etld1 !== domain)
    return {
      errors: [
        {
          code: 'domain.is_subdomain',
          message: `\`${domain}\` is a subdomain. Preload \`${etld1}\` instead: only whole registered domains are accepted.`,
        },
      ],
      warnings: [],
    };
  return { errors: [], warnings: [] };
}

/** The public suffix of `domain` (PSL with private suffixes), or undefined. */
export function publicSuffixOf(domain: string): string | undefined {
  return getPublicSuffix(domain, PSL) ?? undefined;
}
