// The test worker's own exports, as `wrangler types` would declare them.
declare namespace Cloudflare {
  interface Exports {
    default: Fetcher;
  }
}
