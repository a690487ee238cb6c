/** The world that unprefixed paths reach; `/w/default/…` reaches it too. */
export const DEFAULT_WORLD_NAME = "default";

/** Letters, digits, `.`, `_` and `-`, up to 64: safe in a URL path segment and as a Durable Object name. */
const WORLD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isWorldName(name: string): boolean {
  return WORLD_NAME.test(name);
}

export function worldNameProblem(name: string): string {
  return `"${name}" is not a world name: use 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`;
}

export function worldBasePath(name: string): string {
  return name === DEFAULT_WORLD_NAME ? "" : `/w/${name}`;
}

/** Where a request goes: the world it names and the path inside that world. */
export interface WorldRoute {
  name: string;
  /** "/w/<name>" as it appeared, or "" for the default world. */
  basePath: string;
  /** The path inside the world, always starting with "/". */
  path: string;
}

/**
 * `/w/<name>/rest` → world `name`, path `/rest`; anything else → the default
 * world, path unchanged. Returns the raw segment as `name` even when it is not
 * a valid world name, so the caller can say why.
 */
export function routeToWorld(pathname: string): WorldRoute {
  if (!pathname.startsWith("/w/")) return { name: DEFAULT_WORLD_NAME, basePath: "", path: pathname };
  const end = pathname.indexOf("/", 3);
  const segment = end === -1 ? pathname.slice(3) : pathname.slice(3, end);
  let name = segment;
  try {
    name = decodeURIComponent(segment);
  } catch {
    // A malformed escape is simply not a valid name; the caller says so.
  }
  const basePath = end === -1 ? pathname : pathname.slice(0, end);
  return { name, basePath, path: end === -1 ? "/" : pathname.slice(end) };
}

/** The path of an absolute URL, as sent (not decoded), without parsing the whole URL. */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start === -1) return "/";
  let end = url.length;
  const query = url.indexOf("?", start);
  if (query !== -1) end = query;
  const fragment = url.indexOf("#", start);
  if (fragment !== -1 && fragment < end) end = fragment;
  return url.slice(start, end);
}
