import { ErrCode } from "../../protocol/index.ts";
import type { MockState } from "./mock-state.ts";
import type { TokenGrant } from "./token-store.ts";
import { failure, success, type VendorOutcome } from "./vendor-answers.ts";

export function listSubDepartments(state: MockState, grant: TokenGrant, deptId: number): VendorOutcome {
  const corp = state.world.corp(grant.corpId);
  if (!corp?.hasDepartment(deptId)) return failure(ErrCode.DEPARTMENT_NOT_FOUND, undefined, `no department ${deptId} in ${grant.corpId}`);
  return success({ result: { dept_id_list: [...corp.subDepartments(deptId)] } });
}

export function listDepartmentUsers(state: MockState, grant: TokenGrant, deptId: number): VendorOutcome {
  const corp = state.world.corp(grant.corpId);
  if (!corp?.hasDepartment(deptId)) return failure(ErrCode.DEPARTMENT_NOT_FOUND, undefined, `no department ${deptId} in ${grant.corpId}`);
  return success({ result: { userid_list: [...corp.directMembers(deptId)] } });
}
