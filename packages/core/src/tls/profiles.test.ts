import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPolicy } from '../policy/index.ts';
import { TLS_PROFILE_NAMES, TLS_PROFILES, type TlsSettings } from './profiles.ts';

/**
 * Every profile value, written out by hand from its source (docs/tls.md):
 * Mozilla's Server Side TLS 6.0 for modern and intermediate, the OpenKAT
 * hardening guide's nginx lines for openkat. A change to a profile must
 * change this table and the docs.
 */
const MOZILLA_SUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
];
const MOZILLA_CURVES = ['X25519MLKEM768', 'X25519', 'prime256v1', 'secp384r1'];

const EXPECTED: Record<(typeof TLS_PROFILE_NAMES)[number], TlsSettings> = {
  modern: {
    protocols: ['TLSv1.3'],
    ciphers: [],
    cipherSuites: MOZILLA_SUITES,
    curves: MOZILLA_CURVES,
    sessionTickets: false,
    sessionTimeout: 86_400,
    ocspStapling: false,
    preferServerCiphers: false,
  },
  intermediate: {
    protocols: ['TLSv1.2', 'TLSv1.3'],
    ciphers: [
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE-RSA-CHACHA20-POLY1305',
    ],
    cipherSuites: MOZILLA_SUITES,
    curves: MOZILLA_CURVES,
    sessionTickets: false,
    sessionTimeout: 86_400,
    ocspStapling: false,
    preferServerCiphers: false,
  },
  openkat: {
    protocols: ['TLSv1.2', 'TLSv1.3'],
    // The guide's five names minus ECDHE-RSA-AES256-GCM-SHA512 and
    // DHE-RSA-AES256-GCM-SHA512, which do not exist.
    ciphers: [
      'ECDHE-RSA-AES256-GCM-SHA384',
      'DHE-RSA-AES256-GCM-SHA384',
      'ECDHE-RSA-AES256-SHA384',
    ],
    cipherSuites: [
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
      'TLS_AES_128_GCM_SHA256',
    ],
    curves: ['secp384r1'],
    sessionTickets: false,
    sessionTimeout: 600,
    ocspStapling: true,
    preferServerCiphers: true,
  },
};

/** The warnings each profile raises on its own. */
const EXPECTED_WARNINGS: Record<(typeof TLS_PROFILE_NAMES)[number], string[]> = {
  modern: [],
  intermediate: [],
  openkat: [
    'DHE-RSA-AES256-GCM-SHA384: finite-field DHE',
    'ECDHE-RSA-AES256-SHA384: CBC mode with MAC-then-encrypt',
  ],
};

describe('TLS profiles', () => {
  it('the table covers every profile', () => {
    assert.deepEqual(Object.keys(EXPECTED).sort(), [...TLS_PROFILE_NAMES].sort());
  });

  for (const name of TLS_PROFILE_NAMES) {
    describe(name, () => {
      it('has exactly the documented settings', () => {
        const { description, source, ...settings } = TLS_PROFILES[name];
        assert.deepEqual(settings, EXPECTED[name]);
        assert.ok(description.length > 10 && source.length > 10);
      });

      it('resolves to the same settings in a policy, with no certificate', () => {
        const tls = createPolicy({ tls: { profile: name } }).tls;
        const { profile, minVersion, maxVersion, certificates, ...settings } = tls;
        assert.equal(profile, name);
        assert.deepEqual(settings, EXPECTED[name]);
        assert.equal(minVersion, EXPECTED[name].protocols[0]);
        assert.equal(maxVersion, EXPECTED[name].protocols.at(-1));
        assert.deepEqual(certificates, []);
      });

      it('raises exactly the documented warnings', () => {
        const warnings = createPolicy({ tls: { profile: name }, allowedHosts: ['*'] }).warnings;
        assert.equal(warnings.length, EXPECTED_WARNINGS[name].length);
        assert.deepEqual(
          warnings.map((w) => [
            w.code,
            w.path,
            w.message.slice(0, w.message.indexOf(': ', w.message.indexOf(':') + 1)),
          ]),
          EXPECTED_WARNINGS[name].map((start) => ['BARBICAN_W_TLS_WEAK', 'tls.profile', start]),
        );
      });

      it('is frozen', () => {
        assert.ok(Object.isFrozen(TLS_PROFILES[name]));
        assert.ok(Object.isFrozen(createPolicy({ tls: { profile: name } }).tls.ciphers));
      });
    });
  }
});
