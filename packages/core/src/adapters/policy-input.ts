import { createPolicy, isPolicy, type Policy, type PolicyOptions } from '../policy/index.ts';

/** Accepts a built policy or options to build one (adapters take either). */
export function toPolicy(policy: Policy | PolicyOptions | undefined): Policy {
  return isPolicy(policy) ? policy : createPolicy(policy);
}
