import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCsp } from './index.ts';

function httpFindings(policy: string): string[] {
  return analyzeCsp(policy)
    .findings.filter((f) => f.code === 'csp.source.http')
    .map((f) => f.message);
}

describe('report-uri over plain HTTP', () => {
  it('flags a collector on another host: its reports cross the network in clear text', () => {
    const found = httpFindings("default-src 'self'; report-uri http://collector.example/r");
    assert.deepEqual(found, [
      'http://collector.example/r: violation reports travel in clear text.',
    ]);
  });

  it('accepts a loopback collector (Secure Contexts §3.1: potentially trustworthy)', () => {
    for (const uri of [
      'http://127.0.0.1:8080/report/demo',
      'http://localhost/r',
      'http://[::1]:9/r',
      'http://reports.localhost/r',
    ])
      assert.deepEqual(httpFindings(`default-src 'self'; report-uri ${uri}`), [], uri);
  });

  it('still flags http:// loopback sources in fetch directives', () => {
    assert.equal(httpFindings("script-src 'self' http://127.0.0.1:3000").length, 1);
  });
});
