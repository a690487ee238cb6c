import type { ContractCase } from "../contract-case.ts";
import { accessToken, forbiddenCodes, send, sendResult, type ContractTarget } from "../contract-target.ts";
import { unique } from "./wire-conventions.ts";

const LIMITS = "docs/dingtalk-api.md § Silent limits";

/** Sends to `userids` in sends of at most 1,000; every send must succeed. */
async function sendInChunks(target: ContractTarget, token: string, userids: readonly string[], data: Record<string, string>): Promise<void> {
  for (let start = 0; start < userids.length; start += 1000) {
    const { answer } = await send(target, token, { userids: userids.slice(start, start + 1000), data });
    if (answer.errcode !== 0) throw new Error(`setup send failed with errcode ${answer.errcode}`);
  }
}

/** The forbidden entry getsendresult reports for a one-recipient task, and the send's own errcode. */
async function droppedAs(target: ContractTarget, token: string, userid: string, data: Record<string, string>) {
  const { answer } = await send(target, token, { userids: [userid], data });
  const result = await sendResult(target, token, answer.task_id);
  return { sendErrcode: answer.errcode, result: result.answer.send_result };
}

export const limitCases: ContractCase[] = [
  {
    id: "limits.per-minute-silent",
    title: "the 5,001st recipient in a minute is dropped silently: errcode 0 at send, 1431xx/1432xx in getsendresult",
    source: LIMITS,
    known: true,
    needs: "control",
    async run(target, check) {
      await target.control!.reset();
      const token = await accessToken(target);
      const userids = target.control!.bulkUserIds(5001);
      const data = unique(target, "minute");
      await sendInChunks(target, token, userids.slice(0, 5000), data);
      const { sendErrcode, result } = await droppedAs(target, token, userids[5000]!, data);
      check.equal(sendErrcode, 0, "the send that goes over the limit still answers errcode");
      check.equal(result.forbidden_user_id_list, [userids[5000]], "forbidden_user_id_list");
      check.ok(forbiddenCodes(target.app).perMinute.includes(result.forbidden_list[0]?.code), `forbidden code is a per-minute code (${result.forbidden_list[0]?.code})`);
    },
  },
  {
    id: "limits.daily-cap-silent",
    title: "the 101st message of a China-time day to one employee is dropped silently with 143105/143205",
    source: LIMITS,
    known: true,
    needs: "control",
    async run(target, check) {
      await target.control!.reset();
      const token = await accessToken(target);
      const userid = target.fixtures.userIds[0];
      for (let n = 1; n <= 100; n++) {
        const { answer } = await send(target, token, { userids: [userid], data: unique(target, `cap-${n}`) });
        if (answer.errcode !== 0) throw new Error(`setup send ${n} failed with errcode ${answer.errcode}`);
      }
      const { sendErrcode, result } = await droppedAs(target, token, userid, unique(target, "cap-101"));
      check.equal(sendErrcode, 0, "the 101st send still answers errcode");
      check.ok(forbiddenCodes(target.app).dailyCap.includes(result.forbidden_list[0]?.code), `forbidden code is the daily-cap code (${JSON.stringify(result.forbidden_list)})`);
    },
  },
  {
    id: "limits.duplicate-content-silent",
    title: "the same content to the same employee twice in a day is dropped silently with 143106/143206",
    source: LIMITS,
    known: true,
    needs: "control",
    async run(target, check) {
      await target.control!.reset();
      const token = await accessToken(target);
      const data = unique(target, "duplicate");
      const userid = target.fixtures.userIds[0];
      await send(target, token, { userids: [userid], data });
      const { sendErrcode, result } = await droppedAs(target, token, userid, data);
      check.equal(sendErrcode, 0, "the duplicate send still answers errcode");
      check.ok(forbiddenCodes(target.app).duplicate.includes(result.forbidden_list[0]?.code), `forbidden code is the duplicate code (${JSON.stringify(result.forbidden_list)})`);
    },
  },
  {
    id: "limits.day-rolls-at-china-midnight",
    title: "the per-day rules start over at 00:00 China time (16:00 UTC)",
    source: LIMITS,
    known: true,
    needs: "control",
    async run(target, check) {
      await target.control!.reset();
      await target.control!.setClock("2026-11-25T15:59:59.000Z");
      const token = await accessToken(target);
      const data = unique(target, "rollover");
      const userid = target.fixtures.userIds[0];
      await send(target, token, { userids: [userid], data });
      await target.control!.advanceClock(999);
      const sameDay = await droppedAs(target, token, userid, data);
      check.equal(sameDay.result.forbidden_user_id_list, [userid], "dropped at 23:59:59.999 China time");
      await target.control!.advanceClock(1);
      const nextDay = await droppedAs(target, token, userid, data);
      check.equal(nextDay.result.forbidden_user_id_list, [], "delivered at 00:00:00.000 China time");
    },
  },
];
