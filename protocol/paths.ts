/** Vendor paths, relative to the configurable base URL (https://oapi.dingtalk.com in production). */
export const VendorPath = {
  getToken: "/gettoken",
  getCorpToken: "/service/get_corp_token",
  sendByTemplate: "/topapi/message/corpconversation/sendbytemplate",
  getSendProgress: "/topapi/message/corpconversation/getsendprogress",
  getSendResult: "/topapi/message/corpconversation/getsendresult",
  recall: "/topapi/message/corpconversation/recall",
  listSubDepartments: "/topapi/v2/department/listsubid",
  listDepartmentUsers: "/topapi/user/listid",
} as const;

export type VendorPathName = keyof typeof VendorPath;
export const DEFAULT_VENDOR_BASE_URL = "https://oapi.dingtalk.com";
