import * as z from "./zod.ts";
import { IntegerLike, VendorAnswer } from "./envelope.ts";

/** `POST /topapi/v2/department/listsubid`: the direct sub-departments of one department. */
export const ListSubDepartmentsRequest = z.object({ dept_id: IntegerLike });
export type ListSubDepartmentsRequest = z.input<typeof ListSubDepartmentsRequest>;

export const ListSubDepartmentsAnswer = z.extend(VendorAnswer, {
  result: z.object({ dept_id_list: z.array(z.int()) }),
});
export type ListSubDepartmentsAnswer = z.infer<typeof ListSubDepartmentsAnswer>;

/** `POST /topapi/user/listid`: the user ids directly in one department. */
export const ListDepartmentUsersRequest = z.object({ dept_id: IntegerLike });
export type ListDepartmentUsersRequest = z.input<typeof ListDepartmentUsersRequest>;

export const ListDepartmentUsersAnswer = z.extend(VendorAnswer, {
  result: z.object({ userid_list: z.array(z.string()) }),
});
export type ListDepartmentUsersAnswer = z.infer<typeof ListDepartmentUsersAnswer>;

/** The root department of every organisation. */
export const ROOT_DEPT_ID = 1;
