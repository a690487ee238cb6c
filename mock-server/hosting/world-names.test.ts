import { describe, expect, it } from "vitest";
import { isWorldName, pathOf, routeToWorld } from "./world-names.ts";

describe("routeToWorld", () => {
  it("sends /w/<name>/… to that world and everything else to the default one", () => {
    expect(routeToWorld("/w/job-41/topapi/x")).toEqual({ name: "job-41", basePath: "/w/job-41", path: "/topapi/x" });
    expect(routeToWorld("/w/job-41")).toEqual({ name: "job-41", basePath: "/w/job-41", path: "/" });
    expect(routeToWorld("/gettoken")).toEqual({ name: "default", basePath: "", path: "/gettoken" });
    expect(routeToWorld("/web/w/x")).toEqual({ name: "default", basePath: "", path: "/web/w/x" });
    expect(routeToWorld("/w/%E0%A4%A/x").name).toBe("%E0%A4%A");
  });
});

describe("isWorldName", () => {
  it("takes 1 to 64 letters, digits, dots, dashes and underscores, starting with a letter or digit", () => {
    for (const name of ["a", "job-41", "CI_7.run", "x".repeat(64)]) expect(isWorldName(name), name).toBe(true);
    for (const name of ["", "-a", ".a", "a/b", "a b", "ä", "x".repeat(65)]) expect(isWorldName(name), name).toBe(false);
  });
});

describe("pathOf", () => {
  it("reads the path of an absolute URL without its query or fragment", () => {
    expect(pathOf("http://127.0.0.1:3000/w/a/gettoken?appkey=x")).toBe("/w/a/gettoken");
    expect(pathOf("https://h/__admin/worlds#top")).toBe("/__admin/worlds");
    expect(pathOf("http://h/a?b=/c#d")).toBe("/a");
    expect(pathOf("http://h")).toBe("/");
    expect(pathOf("http://h?x=1")).toBe("/");
  });
});
