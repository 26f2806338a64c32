/**
 * Fingerprinting: a Server header with a version, X-Powered-By and the other
 * headers on OWASP's removal list.
 *
 * @see https://owasp.org/www-project-secure-headers/#div-bestpractices
 * @module
 */
import { OWASP_REMOVE_HEADERS } from '@barbican/core';
import { parseServer } from '@barbican/core/parsers';
import { headerValues, type CapturedResponse, type Finding } from '../model.ts';
import { finding, MAX_PER_CHECK } from './finding.ts';

/** The reviewer's fingerprinting findings for one response. */
export function fingerprintingFindings(res: CapturedResponse): Finding[] {
  const out: Finding[] = [];
  for (const server of headerValues(res, 'server').slice(0, 4)) {
    if (parseServer(server).revealsVersion)
      out.push(
        finding(
          'fingerprint.server.version',
          'server',
          `Server: ${server} tells attackers which software and version to target.`,
          'Remove the version (nginx: server_tokens off; Apache: ServerTokens Prod) or drop the header: Barbican removes it with headers.server.',
          { value: server },
        ),
      );
  }
  const seen = new Set<string>();
  for (const name of OWASP_REMOVE_HEADERS) {
    const lower = name.toLowerCase();
    if (lower === 'server' || seen.has(lower) || out.length >= MAX_PER_CHECK) continue;
    seen.add(lower);
    const value = headerValues(res, lower)[0];
    if (value === undefined) continue;
    out.push(
      lower === 'x-powered-by'
        ? finding(
            'fingerprint.x-powered-by',
            lower,
            `X-Powered-By: ${value} names the framework behind the site.`,
            'Stop sending it (Express: app.disable("x-powered-by"); PHP: expose_php = Off); Barbican strips it with removeHeaders.',
            { value },
          )
        : finding(
            'fingerprint.header',
            lower,
            `${name}: ${value} reveals internals (server, framework or tracing) that help an attacker.`,
            `Strip ${name} at the edge; Barbican's removeHeaders (OWASP list) does it.`,
            { value },
          ),
    );
  }
  return out;
}
