export * from "./error-codes.ts";
export * from "./envelope.ts";
export * from "./tokens.ts";
export * from "./suite-signature.ts";
export * from "./corpconversation.ts";
export * from "./directory.ts";
export * from "./paths.ts";
