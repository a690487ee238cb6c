/**
 * DingTalk's result codes, as documented on the vendor's pages and collected in
 * shared/dingtalk-api.md. One table so the mock answers and the client branches
 * on the same numbers.
 */
export const ErrCode = {
  OK: 0,
  SYSTEM_BUSY: -1,
  /** Invalid API name: what an unknown /topapi path answers instead of 404. */
  INVALID_API_NAME: 22,
  /** Envelope for auth and flow-control failures on /topapi: the real code is in `sub_code`. */
  WRAPPED: 88,
  SYSTEM_ERROR: 500,
  INVALID_ACCESS_TOKEN: 40014,
  INVALID_PARAMETER: 40035,
  INVALID_APP_KEY_OR_SECRET: 40096,
  ACCESS_TOKEN_EXPIRED: 42001,
  BODY_NOT_JSON: 43009,
  DEPARTMENT_NOT_FOUND: 60003,
  GLOBAL_API_QPS_EXCEEDED: 90002,
  APP_API_QPS_EXCEEDED: 90018,
  INVALID_AGENT_ID: 400002,
  INVALID_SUITE_TICKET: 853005,
  TEMPLATE_NOT_FOUND: 885001,
  TEMPLATE_UNUSABLE: 885006,
  NO_RECEIVERS: 1430000,
} as const;

export type ErrCodeValue = (typeof ErrCode)[keyof typeof ErrCode];

/**
 * Flow-control codes that `getsendresult` reports in `forbidden_list` for
 * recipients the vendor silently dropped. Internal (enterprise) apps get the
 * 1431xx family, third-party (ISV) apps the 1432xx family.
 */
export const ForbiddenCode = {
  internal: {
    perMinute: "143103",
    dailyCap: "143105",
    duplicateContent: "143106",
  },
  thirdParty: {
    perMinute: "143203",
    dailyCap: "143205",
    duplicateContent: "143206",
  },
} as const;

export type ForbiddenReason = keyof (typeof ForbiddenCode)["internal"];
export type AppKind = keyof typeof ForbiddenCode;

/** Plain-words meaning of every flow-control code, for journals and inboxes. */
export const FORBIDDEN_CODE_MEANINGS: Readonly<Record<string, string>> = {
  "143103": "recipients-per-minute limit of one app in one organisation exceeded",
  "143104": "recipients-per-minute limit of the whole organisation exceeded",
  "143105": "daily per-employee message cap of the app reached",
  "143106": "same content already sent to this employee today",
  "143203": "recipients-per-minute limit of a third-party app in one organisation exceeded",
  "143204": "recipients-per-minute limit of a third-party app across all organisations exceeded",
  "143205": "daily per-employee message cap of the third-party app reached",
  "143206": "same content already sent to this employee today (third-party app)",
};

export const ERRMSG: Readonly<Record<number, string>> = {
  [ErrCode.OK]: "ok",
  [ErrCode.SYSTEM_BUSY]: "system busy",
  [ErrCode.INVALID_API_NAME]: "Invalid method",
  [ErrCode.SYSTEM_ERROR]: "system error",
  [ErrCode.INVALID_ACCESS_TOKEN]: "invalid access_token",
  [ErrCode.INVALID_PARAMETER]: "invalid parameter",
  [ErrCode.INVALID_APP_KEY_OR_SECRET]: "invalid appkey or appsecret",
  [ErrCode.ACCESS_TOKEN_EXPIRED]: "access_token expired",
  [ErrCode.BODY_NOT_JSON]: "request body must be JSON",
  [ErrCode.DEPARTMENT_NOT_FOUND]: "department not found",
  [ErrCode.GLOBAL_API_QPS_EXCEEDED]: "api call frequency exceeded (global)",
  [ErrCode.APP_API_QPS_EXCEEDED]: "api call frequency exceeded for this app",
  [ErrCode.INVALID_AGENT_ID]: "invalid agentId",
  [ErrCode.INVALID_SUITE_TICKET]: "invalid suite ticket",
  [ErrCode.TEMPLATE_NOT_FOUND]: "the message template does not exist",
  [ErrCode.TEMPLATE_UNUSABLE]: "the message template is unavailable",
  [ErrCode.NO_RECEIVERS]: "receivers are empty",
};

export function errmsgFor(code: number): string {
  return ERRMSG[code] ?? "error";
}
