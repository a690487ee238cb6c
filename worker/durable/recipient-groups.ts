import type { RecipientSource } from "../send/notification-record.ts";
import { decodePositions, encodePositions } from "./position-runs.ts";
import { StateKeys, type RecipientState } from "./recipient-state.ts";
import { batches, placeholders } from "./sql-batches.ts";

/** Members of one group at most: a row of 1,000 userids of 64 characters is 65 KB, far below the 2 MB a row may hold. */
export const MAX_GROUP_MEMBERS = 1_000;

/** Recipients of one request in one state: one row of `recipient_groups`. */
export interface RecipientGroup {
  seq: number;
  notificationId: string;
  queueOrder: number;
  userids: string[];
  /** Each member's place in its request, in the order of `userids`. */
  positions: number[];
  state: RecipientState;
}


export interface NewMember {
  userid: string;
  position: number;
  state: RecipientState;
}

/** One member of a loaded group going to a new state. */
export interface Change {
  group: RecipientGroup;
  /** The member's index in the group's lists. */
  index: number;
  state: RecipientState;
}

type GroupRow = {
  seq: number;
  notification_id: string;
  queue_order: number;
  userids: string;
  positions: string;
  status: RecipientState["status"];
  reason: string | null;
  detail: string | null;
  task_id: number | null;
  error_code: number | null;
  error_message: string | null;
  attempts: number;
  uncertain_day: string | null;
  not_before_ms: number;
  verified_at_ms: number | null;
  attempt_day: string | null;
};

const COLUMNS =
  "seq, notification_id, queue_order, userids, positions, status, reason, detail, task_id, error_code, error_message, attempts, uncertain_day, not_before_ms, verified_at_ms, attempt_day";
const INSERT_COLUMNS = `${COLUMNS}, members`;
const STATE_ASSIGNMENTS =
  "status = ?, reason = ?, detail = ?, task_id = ?, error_code = ?, error_message = ?, attempts = ?, uncertain_day = ?, not_before_ms = ?, verified_at_ms = ?, attempt_day = ?";
/** The highest seq stored, 0 when none is. */
const LAST_SEQ = "(SELECT COALESCE(MAX(seq), 0) FROM recipient_groups)";
/** Values per row of INSERT_COLUMNS, and a row's placeholders: as given, or numbered past LAST_SEQ (seq and queue order). */
const INSERT_WIDTH = 17;
const GROUP_ROW = `(${placeholders(INSERT_WIDTH)})`;
const NEW_GROUP_ROW = `(${LAST_SEQ} + ?, ?, ${LAST_SEQ} + ?, ${placeholders(INSERT_WIDTH - 3)})`;
/** Groups still moving on; the rest (delivered, dropped, suppressed, failed, uncertain) never change again. */
const UNSETTLED = "('queued', 'sending', 'sent')";

/**
 * The recipients of every request, stored as groups that share one state.
 * A change moves members from their group to another: a whole group moves in
 * place (one row written), part of one is split off into a new group that
 * keeps the old one's queue order.
 */
export class RecipientGroups {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Adds a request's recipients, equal states together, in groups of at most MAX_GROUP_MEMBERS queued in first-come order. */
  insert(notificationId: string, members: readonly NewMember[]): void {
    const byState = new Map<string, NewMember[]>();
    const keys = new StateKeys();
    for (const member of members) {
      const key = keys.key(member.state);
      const list = byState.get(key);
      if (list) list.push(member);
      else byState.set(key, [member]);
    }
    const rows: (string | number | null)[][] = [];
    for (const list of byState.values()) {
      for (let start = 0; start < list.length; start += MAX_GROUP_MEMBERS) {
        const part = list.slice(start, start + MAX_GROUP_MEMBERS);
        rows.push(rowValues(null, notificationId, null, part.map((m) => m.userid), part.map((m) => m.position), part[0]!.state));
      }
    }
    // Past every live group's queue order (a split group keeps an older one): numbered in the INSERT itself.
    this.#insertRows(rows, { numberedAfterLast: true });
  }

  /** The groups a selector names, or every unsettled group of the request. */
  load(notificationId: string, from?: RecipientSource): RecipientGroup[] {
    let cursor: SqlStorageCursor<GroupRow>;
    if (from === undefined) {
      cursor = this.#sql.exec<GroupRow>(`SELECT ${COLUMNS} FROM recipient_groups WHERE notification_id = ? AND status IN ${UNSETTLED}`, notificationId);
    } else if ("reservationId" in from) {
      cursor = this.#sql.exec<GroupRow>(
        `SELECT ${COLUMNS} FROM recipient_groups WHERE status = 'sending' AND reason = ? AND notification_id = ?`,
        from.reservationId,
        notificationId,
      );
    } else if ("taskId" in from) {
      cursor = this.#sql.exec<GroupRow>(`SELECT ${COLUMNS} FROM recipient_groups WHERE task_id = ? AND notification_id = ?`, from.taskId, notificationId);
    } else {
      const groups: RecipientGroup[] = [];
      for (const batch of batches(from.groups, 1, 1)) {
        const rows = this.#sql
          .exec<GroupRow>(`SELECT ${COLUMNS} FROM recipient_groups WHERE notification_id = ? AND seq IN (${placeholders(batch.length)})`, notificationId, ...batch)
          .toArray();
        groups.push(...rows.map(groupOf));
      }
      return groups;
    }
    return cursor.toArray().map(groupOf);
  }

  /** Every group of a request, settled or not. */
  all(notificationId: string): RecipientGroup[] {
    return this.#sql.exec<GroupRow>(`SELECT ${COLUMNS} FROM recipient_groups WHERE notification_id = ?`, notificationId).toArray().map(groupOf);
  }

  /** Queued groups due at `nowMs`, in queue order; read lazily, so a caller that stops early reads no further. */
  *dueQueue(nowMs: number): Generator<RecipientGroup> {
    // In queue order, walking the queue's own index: the due-time index would sort every due row first.
    const cursor = this.#sql.exec<GroupRow>(
      `SELECT ${COLUMNS} FROM recipient_groups INDEXED BY recipient_groups_queue WHERE status = 'queued' AND not_before_ms <= ? ORDER BY queue_order, seq`,
      nowMs,
    );
    for (const row of cursor) yield groupOf(row);
  }

  /** Groups of a vendor task still in `status`. */
  ofTask(taskId: number, status: RecipientState["status"]): RecipientGroup[] {
    return this.#sql.exec<GroupRow>(`SELECT ${COLUMNS} FROM recipient_groups WHERE task_id = ? AND status = ?`, taskId, status).toArray().map(groupOf);
  }

  /**
   * Moves members to new states: per group, members going to the same state
   * become one group. A group every member of which goes to one state is
   * rewritten in place; otherwise the movers are split off.
   */
  apply(changes: readonly Change[]): void {
    const byGroup = new Map<RecipientGroup, Map<string, { state: RecipientState; indexes: number[] }>>();
    const keys = new StateKeys();
    for (const change of changes) {
      let targets = byGroup.get(change.group);
      if (!targets) byGroup.set(change.group, (targets = new Map()));
      const key = keys.key(change.state);
      const target = targets.get(key);
      if (target) target.indexes.push(change.index);
      else targets.set(key, { state: change.state, indexes: [change.index] });
    }
    const inserts: (string | number | null)[][] = [];
    for (const [group, targets] of byGroup) {
      const moving = new Set<number>();
      for (const target of targets.values()) for (const index of target.indexes) moving.add(index);
      const staying = group.userids.map((_, index) => index).filter((index) => !moving.has(index));
      const splits = [...targets.values()];
      // The largest target takes the group's own row when nobody stays behind.
      let inPlace: { state: RecipientState; indexes: number[] } | undefined;
      if (staying.length === 0) {
        const largest = splits.reduce((best, split, i) => (split.indexes.length > splits[best]!.indexes.length ? i : best), 0);
        inPlace = splits.splice(largest, 1)[0];
      }
      for (const split of splits) {
        const indexes = split.indexes.sort((a, b) => a - b);
        inserts.push(rowValues(null, group.notificationId, group.queueOrder, indexes.map((i) => group.userids[i]!), indexes.map((i) => group.positions[i]!), split.state));
      }
      if (inPlace) {
        if (splits.length === 0) {
          this.#sql.exec(`UPDATE recipient_groups SET ${STATE_ASSIGNMENTS} WHERE seq = ?`, ...stateValues(inPlace.state), group.seq);
        } else {
          const indexes = inPlace.indexes.sort((a, b) => a - b);
          this.#rewrite(group, indexes, inPlace.state);
        }
      } else {
        this.#rewrite(group, staying, group.state);
      }
    }
    this.#insertRows(inserts);
  }

  /** Recipients cut short mid-send go back to the queue; returns how many. */
  requeueSending(today: string): number {
    const { n } = this.#sql.exec<{ n: number | null }>("SELECT SUM(members) AS n FROM recipient_groups WHERE status = 'sending'").one();
    if (n) {
      this.#sql.exec(
        // An attempt all the same: a send that brings the object down each time is not retried forever.
        "UPDATE recipient_groups SET status = 'queued', reason = NULL, attempts = attempts + 1, uncertain_day = COALESCE(uncertain_day, attempt_day, ?) WHERE status = 'sending'",
        today,
      );
    }
    return n ?? 0;
  }

  /**
   * Queued recipients due at `nowMs`, counted over at most `maxGroups` groups
   * (the due index, earliest first): bounded work on a refusal's path.
   */
  dueMembers(nowMs: number, maxGroups: number): number {
    const row = this.#sql
      .exec<{ n: number | null }>(
        "SELECT SUM(members) AS n FROM (SELECT members FROM recipient_groups WHERE status = 'queued' AND not_before_ms <= ? ORDER BY not_before_ms LIMIT ?)",
        nowMs,
        maxGroups,
      )
      .one();
    return row.n ?? 0;
  }

  /** When the next queued recipient is due: undefined when the queue is empty. */
  nextDueAt(): number | undefined {
    const row = this.#sql.exec<{ at: number | null }>("SELECT MIN(not_before_ms) AS at FROM recipient_groups WHERE status = 'queued'").one();
    return row.at ?? undefined;
  }

  remove(notificationId: string): void {
    this.#sql.exec("DELETE FROM recipient_groups WHERE notification_id = ?", notificationId);
  }

  #rewrite(group: RecipientGroup, indexes: readonly number[], state: RecipientState): void {
    this.#sql.exec(
      `UPDATE recipient_groups SET userids = ?, positions = ?, members = ?, ${STATE_ASSIGNMENTS} WHERE seq = ?`,
      indexes.map((i) => group.userids[i]!).join(","),
      encodePositions(indexes.map((i) => group.positions[i]!)),
      indexes.length,
      ...stateValues(state),
      group.seq,
    );
  }

  /**
   * `numberedAfterLast`: the rows are new groups, each taking the next seq past every stored one as its seq
   * and its queue order. The highest seq is read inside the INSERT (an uncorrelated subquery, which SQLite
   * evaluates once per statement) and each row adds its place in the batch: one statement, where reading
   * MAX(seq) first was a second one on every send.
   */
  #insertRows(rows: readonly (string | number | null)[][], options: { numberedAfterLast?: boolean } = {}): void {
    const width = INSERT_WIDTH;
    const row = options.numberedAfterLast ? NEW_GROUP_ROW : GROUP_ROW;
    for (const batch of batches(rows, width)) {
      const values = options.numberedAfterLast ? batch.flatMap((values, index) => [index + 1, values[1]!, index + 1, ...values.slice(3)]) : batch.flat();
      this.#sql.exec(`INSERT INTO recipient_groups (${INSERT_COLUMNS}) VALUES ${batch.map(() => row).join(", ")}`, ...values);
    }
  }
}

/** Values for INSERT_COLUMNS; a null seq lets SQLite pick the next one. */
function rowValues(seq: number | null, notificationId: string, queueOrder: number | null, userids: readonly string[], positions: readonly number[], state: RecipientState): (string | number | null)[] {
  return [seq, notificationId, queueOrder, userids.join(","), encodePositions(positions), ...stateValues(state), userids.length];
}

function stateValues(state: RecipientState): (string | number | null)[] {
  return [state.status, state.reason, state.detail, state.taskId, state.errorCode, state.errorMessage, state.attempts, state.uncertainDay, state.notBeforeMs, state.verifiedAtMs, state.attemptDay];
}

function groupOf(row: GroupRow): RecipientGroup {
  return {
    seq: row.seq,
    notificationId: row.notification_id,
    queueOrder: row.queue_order,
    userids: row.userids === "" ? [] : row.userids.split(","),
    positions: decodePositions(row.positions),
    state: {
      status: row.status,
      reason: row.reason,
      detail: row.detail,
      taskId: row.task_id,
      errorCode: row.error_code,
      errorMessage: row.error_message,
      attempts: row.attempts,
      uncertainDay: row.uncertain_day,
      notBeforeMs: row.not_before_ms,
      verifiedAtMs: row.verified_at_ms,
      attemptDay: row.attempt_day,
    },
  };
}
