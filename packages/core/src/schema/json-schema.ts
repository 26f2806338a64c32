import { policyOptionsSchema } from '../policy/index.ts';
import type { JsonSchema } from './index.ts';

/**
 * The JSON Schema of `barbican.config.json`, generated from the same schema
 * objects that validate policies, so the two can never disagree.
 */
export function toJsonSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://barbican.dev/schema/barbican.config.json',
    title: 'Barbican policy',
    ...policyOptionsSchema.toJsonSchema(),
  };
}
