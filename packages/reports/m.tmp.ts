import { parseReports, fingerprint, noiseReason } from './src/index.ts';
import { nestsDeeperThan } from './src/normalize/index.ts';
const DOC = 'https://shop.example/checkout';
const POLICY = "default-src 'self'; img-src 'self'; report-uri https://collector.example/report/shop";
const mk = (i: number) => JSON.stringify(Array.from({ length: 10 }, (_, j) => ({ type: 'csp-violation', age: 120, url: DOC, user_agent: 'Mozilla/5.0 Chrome/156', body: { documentURL: DOC, effectiveDirective: 'img-src', blockedURL: `https://cdn.example/${i}/${j}.png`, originalPolicy: POLICY, disposition: 'report', sourceFile: DOC, lineNumber: 12, columnNumber: 7, statusCode: 200, referrer: '', sample: '' } })));
const bodies = Array.from({ length: 1000 }, (_, i) => Buffer.from(mk(i)));
const dec = new TextDecoder('utf-8', { fatal: true });
function step(label: string, fn: (b: Buffer) => void) {
  for (let r = 0; r < 3; r++) { const t = performance.now(); for (let k = 0; k < 5; k++) for (const b of bodies) fn(b); const dt = performance.now() - t; if (r === 2) console.log(label, ((dt * 1000) / 5000).toFixed(1), 'µs per batch of 10'); }
}
step('depth scan', (b) => nestsDeeperThan(b));
step('decode+JSON.parse', (b) => JSON.parse(dec.decode(b)));
step('+parseReports', (b) => parseReports(JSON.parse(dec.decode(b)), { userAgent: null, maxBatch: 100 }));
step('+noise+fingerprint', (b) => { const r = parseReports(JSON.parse(dec.decode(b)), { userAgent: null, maxBatch: 100 }); if (r.ok) for (const x of r.reports) { noiseReason(x); fingerprint('shop', x); } });
