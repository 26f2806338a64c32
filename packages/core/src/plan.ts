/**
 * The shapes the per-request path passes around: what an adapter tells the
 * engine about a request ({@link RequestFacts}), what the engine answers
 * ({@link Verdict}) and the precomputed header lists a response gets
 * ({@link ResponsePlan}).
 *
 * A leaf module: it imports nothing, so the engine, the policy builder, the
 * request guards and every adapter can share these types without importing
 * one another.
 *
 * @module
 */

/** A header to set with a nonce spliced in. */
export interface NonceHeader {
  readonly name: string;
  /** Sent when the request never minted a nonce. */
  readonly value: string;
  /** Joined with the nonce when one was minted. */
  readonly parts: readonly string[];
}

/**
 * What a response gets, precomputed for one scheme. Adapters only copy these
 * strings; they never parse or merge anything per request.
 */
export interface ResponsePlan {
  /** `[name, value]` pairs to set. */
  readonly set: readonly (readonly [string, string])[];
  /** Headers whose value depends on the request's nonce. */
  readonly nonced: readonly NonceHeader[];
  /** Lower-case names of headers to strip from the response. */
  readonly remove: ReadonlySet<string>;
  /** The same names as a list, for fast iteration. */
  readonly removeList: readonly string[];
}

/** What the engine needs to know about a request, read lazily by adapters. */
export interface RequestFacts {
  /** Upper-case method, e.g. `GET`. */
  readonly method: string;
  /** The request-target as received: `/path?q` or, for absolute-form, `http://host/path`. */
  readonly target: string;
  /** All values of a request header (lower-case name), in order; empty when absent. */
  headerValues(name: string): readonly string[];
  /** The socket's peer address (never a header); undefined when the runtime does not expose it. */
  readonly peer: string | undefined;
  /** True when the connection itself is TLS. */
  readonly tls: boolean;
}

/** What to do with a request. */
export type Verdict =
  | {
      readonly kind: 'pass';
      /** Effective scheme: decides which {@link ResponsePlan} applies. */
      readonly https: boolean;
      readonly plan: ResponsePlan;
      /**
       * The effective client address: the socket peer, or, when the peer is a
       * trusted proxy, the first untrusted hop of `Forwarded: for=` /
       * `X-Forwarded-For`. Computed on first read.
       */
      readonly clientIp: string | undefined;
      /** The validated, canonical host (lower case, punycode, no port) when `allowedHosts` is set. */
      readonly host: string | undefined;
    }
  | {
      /** Answer the request without calling the application. */
      readonly kind: 'respond';
      readonly status: number;
      readonly headers: readonly (readonly [string, string])[];
      readonly body: string;
      /** Why, for the application's logs (never sent to the client). */
      readonly reason: string;
    };
