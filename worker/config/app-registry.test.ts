import { describe, expect, it } from "vitest";
import { DEV_APPS } from "../dev-apps.ts";
import { AppRegistry, ConfigError } from "./app-registry.ts";

describe("AppRegistry", () => {
  const registry = AppRegistry.fromJson(JSON.stringify(DEV_APPS));

  it("finds the default app, an app by both ids, or by one id when it is unique", () => {
    expect(registry.find(undefined, undefined)?.agentId).toBe(948060598);
    expect(registry.find("dingdemocorp", 123)?.kind).toBe("internal");
    expect(registry.find(undefined, 123)?.kind).toBe("internal");
    expect(registry.find("dingdemocorp", undefined)).toBeUndefined(); // two apps there: ambiguous
    expect(registry.find("othercorp", 123)).toBeUndefined();
  });

  it("names the broken field without echoing any value", () => {
    const broken = JSON.stringify({ apps: [{ kind: "internal", corpId: "c", agentId: 1, appKey: "k", appSecret: "" }] });
    const error = (() => {
      try {
        AppRegistry.fromJson(broken);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toBe("DINGTALK_APPS.apps.0.appSecret: too_small");
    expect(() => AppRegistry.fromJson("{")).toThrow("not valid JSON");
    expect(() => AppRegistry.fromJson(undefined)).toThrow("not set");
  });
});
