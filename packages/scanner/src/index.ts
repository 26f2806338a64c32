/**
 * `@barbican/scanner`: grades live HTTP responses.
 *
 * @module
 */
export * from './model.ts';
