#!/usr/bin/env node
// The `barbican` executable. Plain JavaScript of the oldest syntax on
// purpose: any Node can parse this file, so an unsupported one gets one
// line naming the Node needed, instead of a raw ERR_UNKNOWN_FILE_EXTENSION
// stack from the TypeScript entry (or a syntax error from the compiled one).
import { existsSync } from 'fs';

var NEEDED = [22, 18];
var parts = process.versions.node.split('.').map(Number);
var tooOld = parts[0] < NEEDED[0] || (parts[0] === NEEDED[0] && parts[1] < NEEDED[1]);

if (tooOld) {
  process.stderr.write(
    'barbican: needs Node.js ' +
      NEEDED.join('.') +
      ' or later, and this is ' +
      process.version +
      '; install a current Node.js (https://nodejs.org) [BARBICAN_E_USAGE]\n',
  );
  process.exitCode = 2;
} else {
  // The published package holds compiled JavaScript; the workspace runs the
  // TypeScript sources directly (Node strips the types).
  var compiled = new URL('./bin.js', import.meta.url);
  import(existsSync(compiled) ? compiled.href : new URL('./bin.ts', import.meta.url).href);
}
