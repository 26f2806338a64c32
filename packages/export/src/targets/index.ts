/**
 * Every export target by name: adding a target is a file beside this one
 * and a line here.
 *
 * @module
 */
import type { TargetName, TargetSpec } from '../target.ts';
import { nginx } from './nginx.ts';

/** The targets' specs and renderers. */
export const TARGETS: Record<TargetName, TargetSpec> = {
  nginx,
} as Record<TargetName, TargetSpec>;
