import { TargetUnavailableError, tokenCall, type ContractTarget } from "./contract-target.ts";

/** Targets already found usable, so a double built by `doubleTarget` and then run is not asked twice. */
const usable = new WeakSet<ContractTarget>();

/**
 * Asks the target for a token for its app, once, before any case: every case
 * needs one, so a target that cannot give it fails here, once, with the URL
 * called (world path included), the HTTP status and what the server said,
 * instead of every case failing with a vaguer echo of the same cause.
 */
export async function checkTarget(target: ContractTarget): Promise<void> {
  if (usable.has(target)) return;
  let result: Awaited<ReturnType<typeof tokenCall>>;
  try {
    result = await tokenCall(target);
  } catch (error) {
    throw new TargetUnavailableError(`${target.name}: ${(error as Error).message}`, { cause: error });
  }
  const { status, answer, text, url, method } = result;
  if (status !== 200 || answer.errcode !== 0 || typeof answer.access_token !== "string") {
    const said = text.trim() === "" ? "an empty body" : text.trim().slice(0, 500);
    const why =
      status !== 200 || Number.isNaN(answer.errcode)
        ? "it does not serve the vendor's token path there"
        : `it refused the ${target.app.kind === "internal" ? "internal app's key and secret" : "third-party app's suite credentials"}`;
    throw new TargetUnavailableError(`${target.name} cannot be used (${why}): ${method} ${url} answered HTTP ${status}: ${said}`);
  }
  usable.add(target);
}
