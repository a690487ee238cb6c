import type * as z from "../protocol/zod.ts";
import {
  GetSendProgressAnswer,
  GetSendResultAnswer,
  ListDepartmentUsersAnswer,
  ListSubDepartmentsAnswer,
  SendByTemplateAnswer,
  TokenAnswer,
  VendorAnswer,
  VendorPath,
} from "../protocol/index.ts";

/** The documented success shape of each vendor path, from the shared schemas. */
export const ANSWER_SCHEMAS: Readonly<Record<string, z.ZodMiniType>> = {
  [VendorPath.getToken]: TokenAnswer,
  [VendorPath.getCorpToken]: TokenAnswer,
  [VendorPath.sendByTemplate]: SendByTemplateAnswer,
  [VendorPath.getSendProgress]: GetSendProgressAnswer,
  [VendorPath.getSendResult]: GetSendResultAnswer,
  [VendorPath.recall]: VendorAnswer,
  [VendorPath.listSubDepartments]: ListSubDepartmentsAnswer,
  [VendorPath.listDepartmentUsers]: ListDepartmentUsersAnswer,
};
