import { en } from "zod/locales";
import { config } from "zod/mini";

/**
 * The zod that the vendor's wire shapes, and every schema the worker builds,
 * are written in: `zod/mini`, whose functions a bundler drops when nothing
 * calls them. Classic zod's chained methods (`z.string().min(1)`) sit on every
 * schema, so one schema pulls in the whole API and all its locales: they were
 * four fifths of the worker's bundle (issue 15). Import it as
 * `import * as z from "./zod.ts"`; a mini schema is a zod 4 schema, so the
 * mock's classic schemas, `z.toJSONSchema` and `.parse`/`.safeParse` take it
 * as they are.
 *
 * zod/mini comes without messages ("Invalid input" for every problem), while
 * classic zod installs English on its first schema. Our problem+json answers
 * and the vendor-style 40035 messages quote zod's English, so install it here,
 * where every schema module gets it, unless some other locale was set first.
 */
if (!config().localeError) config(en());

export * from "zod/mini";
