import * as z from "../../protocol/zod.ts";

/**
 * The DingTalk apps this worker may send as, from the `DINGTALK_APPS` secret
 * (JSON). Secrets live only there: never in wrangler.toml, logs or answers.
 */
const AppIdentity = {
  corpId: z.string().check(z.minLength(1)),
  agentId: z.int().check(z.positive()),
};

export const InternalAppConfig = z.object({
  kind: z.literal("internal"),
  ...AppIdentity,
  appKey: z.string().check(z.minLength(1)),
  appSecret: z.string().check(z.minLength(1)),
});

export const ThirdPartyAppConfig = z.object({
  kind: z.literal("thirdParty"),
  ...AppIdentity,
  suiteKey: z.string().check(z.minLength(1)),
  suiteSecret: z.string().check(z.minLength(1)),
  /** The ticket the vendor pushes every few hours; PUT /v1/suite-tickets/:suiteKey replaces it at run time. */
  suiteTicket: z.optional(z.string().check(z.minLength(1))),
});

export const AppConfig = z.discriminatedUnion("kind", [InternalAppConfig, ThirdPartyAppConfig]);
export type AppConfig = z.infer<typeof AppConfig>;

export const AppsConfig = z.object({
  /** The app used when a request names neither corpId nor agentId. */
  default: z.optional(z.object(AppIdentity)),
  apps: z.array(AppConfig).check(z.minLength(1)),
});

export class ConfigError extends Error {}

let lastParsed: { json: string; registry: AppRegistry } | undefined;

export class AppRegistry {
  readonly #apps: AppConfig[];
  readonly #default: { corpId: string; agentId: number } | undefined;

  constructor(config: z.infer<typeof AppsConfig>) {
    this.#apps = config.apps;
    this.#default = config.default ?? (config.apps.length === 1 ? config.apps[0] : undefined);
  }

  /**
   * Parses the JSON; a problem names the field but never echoes a value, which
   * may be a secret. The last good parse is kept: the secret is the same string
   * for every request an isolate serves, and parsing it each time is work for nothing.
   */
  static fromJson(json: string | undefined): AppRegistry {
    if (json !== undefined && lastParsed?.json === json) return lastParsed.registry;
    if (!json) throw new ConfigError("DINGTALK_APPS is not set");
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      throw new ConfigError("DINGTALK_APPS is not valid JSON");
    }
    const parsed = AppsConfig.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ConfigError(`DINGTALK_APPS.${issue.path.join(".")}: ${issue.code}`);
    }
    const registry = new AppRegistry(parsed.data);
    lastParsed = { json, registry };
    return registry;
  }

  /** The app a request means: the one it names, or the default when it names neither corp nor agent. */
  find(corpId: string | undefined, agentId: number | undefined): AppConfig | undefined {
    const target = corpId === undefined && agentId === undefined ? this.#default : { corpId, agentId };
    if (!target) return undefined;
    const matches = this.#apps.filter(
      (app) => (target.corpId === undefined || app.corpId === target.corpId) && (target.agentId === undefined || app.agentId === target.agentId),
    );
    // Naming only one of the two is fine while it picks a single app.
    return matches.length === 1 ? matches[0] : undefined;
  }

  suites(suiteKey: string): AppConfig[] {
    return this.#apps.filter((app) => app.kind === "thirdParty" && app.suiteKey === suiteKey);
  }
}
