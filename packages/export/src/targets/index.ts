/**
 * Every export target by name: adding a target is a file beside this one
 * and a line here.
 *
 * @module
 */
import type { TargetName, TargetSpec } from '../target.ts';
import { apache } from './apache.ts';
import { caddy } from './caddy.ts';
import { haproxy } from './haproxy.ts';
import { cloudflarePages, netlify } from './headers-file.ts';
import { krakend } from './krakend.ts';
import { nextjs } from './nextjs.ts';
import { nginx } from './nginx.ts';
import { traefik } from './traefik.ts';
import { vercel } from './vercel.ts';

/** The targets' specs and renderers. */
export const TARGETS: Record<TargetName, TargetSpec> = {
  nginx,
  apache,
  haproxy,
  caddy,
  traefik,
  krakend,
  netlify,
  'cloudflare-pages': cloudflarePages,
  vercel,
  nextjs,
};
