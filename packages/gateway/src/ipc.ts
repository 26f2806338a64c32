/**
 * Messages between the primary and its workers (cluster IPC, JSON). Every
 * type starts with `barbican:` so they never collide with prom-client's own
 * aggregation messages on the same channel.
 *
 * @module
 */
import type { GatewayFiles, GatewayInput } from './config.ts';
import type { Addresses } from './server.ts';
import type { Staple } from './stapling.ts';

/** Primary → worker. */
export type ToWorker =
  | {
      type: 'barbican:start';
      input: GatewayInput;
      files: GatewayFiles;
      ticketKeys?: string;
      staples?: Staple[];
    }
  | { type: 'barbican:reload'; id: number; input: GatewayInput; files: GatewayFiles }
  | { type: 'barbican:ticket-keys'; keys: string }
  | { type: 'barbican:ocsp'; key: string; staple?: Staple }
  | { type: 'barbican:health'; id: number }
  | { type: 'barbican:stop' };

/** Worker → primary. */
export type ToPrimary =
  | { type: 'barbican:ready'; addresses: Addresses }
  | { type: 'barbican:failed'; error: SerializedError }
  | { type: 'barbican:reloaded'; id: number; error?: SerializedError }
  | { type: 'barbican:health'; id: number; healthy: number; total: number };

/** A `BarbicanError` (or any error) flattened for IPC. */
export interface SerializedError {
  readonly code?: string;
  readonly message: string;
}

/** Flattens an error for IPC (message only: never a stack). */
export function serializeError(error: unknown): SerializedError {
  const e = error as { code?: unknown; message?: unknown } | null;
  return {
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    message: typeof e?.message === 'string' ? e.message : String(error),
  };
}

/** True when `m` is one of ours. */
export function isOurs(m: unknown): m is { type: string } {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { type?: unknown }).type === 'string' &&
    (m as { type: string }).type.startsWith('barbican:')
  );
}
