/**
 * As docs/adapters.md advises: Next's own X-Powered-By off. (Not typed with
 * `NextConfig`: importing the `next` root declares process-wide globals, such
 * as a required `process.env.NODE_ENV`, for the whole repository's `tsc`.)
 */
const config = {
  poweredByHeader: false,
  // The repository's `tsc` checks these sources; the build need not.
  typescript: { ignoreBuildErrors: true },
};

export default config;
