/**
 * Test-only callers. vitest.config.ts binds their hashes and secrets to the
 * worker under test; the tests present the keys. Never used outside tests.
 */
export const TEST_API_KEYS = [
  { id: "test-all", key: "test-key-all-apps-0123456789", scope: {} },
  { id: "test-scoped", key: "test-key-scoped-0123456789", scope: { agents: [948060598], templates: ["e27a9eed42b34a14a2xxxx"] } },
  { id: "test-internal-app", key: "test-key-internal-app-0123456789", scope: { agents: [123] } },
  { id: "test-other-template", key: "test-key-other-template-0123456789", scope: { templates: ["tpl-other"] } },
] as const;

export const ALL_APPS_KEY = TEST_API_KEYS[0].key;
export const SCOPED_KEY = TEST_API_KEYS[1].key;
/** May use only the internal app (agent 123). */
export const INTERNAL_APP_KEY = TEST_API_KEYS[2].key;
/** Any app, but only a template no test sends. */
export const OTHER_TEMPLATE_KEY = TEST_API_KEYS[3].key;

export const TEST_WEBHOOK_SENDERS = [
  // Standard Webhooks secrets are "whsec_" + base64 of the key bytes.
  { id: "crm", scheme: "standard-webhooks", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", scope: {} },
  { id: "github-ci", scheme: "github", secret: "github-webhook-secret-for-tests", scope: { agents: [948060598] } },
] as const;
