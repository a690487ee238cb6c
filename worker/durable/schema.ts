/**
 * The tables of one (corp, app) Durable Object; every table is documented in
 * worker/STORAGE.md. The schema is its migrations: version n is reached by
 * running steps 1..n in order, so a new object and an old one end up alike.
 * To change it, add a step (never edit a released one) and document it in
 * STORAGE.md; SCHEMA_VERSION follows the number of steps.
 */
const VERSION_1: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS minute_window (
     reservation_id TEXT PRIMARY KEY,
     at_ms INTEGER NOT NULL,
     recipients INTEGER NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS minute_window_at ON minute_window (at_ms)`,
  `CREATE TABLE IF NOT EXISTS employee_day (
     day TEXT NOT NULL,
     userid TEXT NOT NULL,
     messages INTEGER NOT NULL,
     PRIMARY KEY (day, userid)
   )`,
  `CREATE TABLE IF NOT EXISTS employee_content (
     day TEXT NOT NULL,
     userid TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     reservation_id TEXT NOT NULL,
     PRIMARY KEY (day, userid, fingerprint)
   )`,
  `CREATE INDEX IF NOT EXISTS employee_content_reservation ON employee_content (reservation_id)`,
  `CREATE TABLE IF NOT EXISTS token_cache (
     credential_key TEXT PRIMARY KEY,
     token TEXT NOT NULL,
     expires_at_ms INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS department_cache (
     dept_id INTEGER PRIMARY KEY,
     found INTEGER NOT NULL,
     sub_dept_ids TEXT NOT NULL,
     userids TEXT NOT NULL,
     fetched_at_ms INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS notifications (
     id TEXT PRIMARY KEY,
     created_at_ms INTEGER NOT NULL,
     template_id TEXT NOT NULL,
     data TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     invalid_departments TEXT NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS notifications_created ON notifications (created_at_ms)`,
  // One row per recipient of a notification; rows in status 'queued' are the send queue, in seq order.
  `CREATE TABLE IF NOT EXISTS notification_recipients (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     notification_id TEXT NOT NULL,
     userid TEXT NOT NULL,
     status TEXT NOT NULL,
     reason TEXT,
     detail TEXT,
     task_id INTEGER,
     error_code INTEGER,
     error_message TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     -- China-time day of a send whose answer was lost: retries rely on the vendor's
     -- same-day duplicate rule, so they are only made on that day.
     uncertain_day TEXT,
     not_before_ms INTEGER NOT NULL DEFAULT 0
   )`,
  `CREATE INDEX IF NOT EXISTS notification_recipients_by_notification ON notification_recipients (notification_id, seq)`,
  `CREATE INDEX IF NOT EXISTS notification_recipients_queue ON notification_recipients (seq) WHERE status = 'queued'`,
  `CREATE TABLE IF NOT EXISTS notification_tasks (
     notification_id TEXT NOT NULL,
     task_id INTEGER NOT NULL,
     recipients INTEGER NOT NULL,
     PRIMARY KEY (notification_id, task_id)
   )`,
];

/**
 * Version 2: window places counted from the vendor's answer (in flight until
 * it arrives), delivery verified with getsendresult, lost answers kept as
 * "may have been sent".
 */
const VERSION_2: readonly string[] = [
  `ALTER TABLE minute_window ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0`,
  `CREATE INDEX IF NOT EXISTS minute_window_in_flight ON minute_window (at_ms) WHERE in_flight = 1`,
  `ALTER TABLE notifications ADD COLUMN verify INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE notification_recipients ADD COLUMN verified_at_ms INTEGER`,
  // China-time day of the latest attempt: a send cut short by a restart may have been delivered that day.
  `ALTER TABLE notification_recipients ADD COLUMN attempt_day TEXT`,
  // Recipients are found by their userid within a request (every update names them so): an index on
  // (notification_id, seq) made each update scan the request, 0.3 s per chunk of a 100,000-recipient one.
  `DROP INDEX IF EXISTS notification_recipients_by_notification`,
  `CREATE UNIQUE INDEX IF NOT EXISTS notification_recipients_by_userid ON notification_recipients (notification_id, userid)`,
  `CREATE INDEX IF NOT EXISTS notification_recipients_task ON notification_recipients (task_id) WHERE task_id IS NOT NULL`,
  // The queue's next due time and the sends cut short by a restart, without a scan of every recipient ever stored.
  `CREATE INDEX IF NOT EXISTS notification_recipients_due ON notification_recipients (not_before_ms) WHERE status = 'queued'`,
  `CREATE INDEX IF NOT EXISTS notification_recipients_sending ON notification_recipients (notification_id) WHERE status = 'sending'`,
  `ALTER TABLE notification_tasks ADD COLUMN reservation_id TEXT`,
  `ALTER TABLE notification_tasks ADD COLUMN sent_at_ms INTEGER`,
  `ALTER TABLE notification_tasks ADD COLUMN verify_at_ms INTEGER`,
  `ALTER TABLE notification_tasks ADD COLUMN verify_attempts INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE notification_tasks ADD COLUMN verified_at_ms INTEGER`,
  `ALTER TABLE notification_tasks ADD COLUMN verify_error TEXT`,
  `CREATE INDEX IF NOT EXISTS notification_tasks_verify ON notification_tasks (verify_at_ms) WHERE verify_at_ms IS NOT NULL`,
  // The day ledger in one row per employee and day: the content it got that day as
  // small ids of that day's contents, instead of one row (a 64-character
  // fingerprint and a reservation id, under two indexes) per recipient per send.
  `CREATE TABLE day_contents (
     id INTEGER PRIMARY KEY,
     day TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     UNIQUE (day, fingerprint)
   )`,
  `CREATE TABLE reservations (
     reservation_id TEXT PRIMARY KEY,
     day TEXT NOT NULL,
     content_id INTEGER NOT NULL,
     userids TEXT NOT NULL
   ) WITHOUT ROWID`,
  `CREATE TABLE employee_day_v2 (
     day TEXT NOT NULL,
     userid TEXT NOT NULL,
     messages INTEGER NOT NULL,
     contents TEXT NOT NULL DEFAULT ',',
     PRIMARY KEY (day, userid)
   ) WITHOUT ROWID`,
  `INSERT INTO day_contents (day, fingerprint) SELECT DISTINCT day, fingerprint FROM employee_content`,
  `INSERT INTO employee_day_v2 (day, userid, messages, contents)
     SELECT d.day, d.userid, d.messages,
       ',' || COALESCE((SELECT group_concat(c.id, ',') || ',' FROM employee_content e JOIN day_contents c ON c.day = e.day AND c.fingerprint = e.fingerprint
                        WHERE e.day = d.day AND e.userid = d.userid), '')
     FROM employee_day d`,
  `INSERT INTO reservations (reservation_id, day, content_id, userids)
     SELECT e.reservation_id, e.day, c.id, ',' || group_concat(e.userid, ',') || ','
     FROM employee_content e JOIN day_contents c ON c.day = e.day AND c.fingerprint = e.fingerprint
     GROUP BY e.reservation_id`,
  `DROP TABLE employee_content`,
  `DROP TABLE employee_day`,
  `ALTER TABLE employee_day_v2 RENAME TO employee_day`,
];

/**
 * Version 3: recipients stored in groups that share one state (a chunk, its
 * suppressions, a task's verdicts), one row each with the members' userids and
 * their places in the request, instead of one row per recipient: a send writes
 * a few rows per chunk, not one (and three index entries) per recipient.
 */
const VERSION_3: readonly string[] = [
  `CREATE TABLE recipient_groups (
     seq INTEGER PRIMARY KEY,
     notification_id TEXT NOT NULL,
     -- The queue drains in this order: a group split off another keeps its place.
     queue_order INTEGER NOT NULL,
     userids TEXT NOT NULL,
     positions TEXT NOT NULL,
     members INTEGER NOT NULL,
     status TEXT NOT NULL,
     reason TEXT,
     detail TEXT,
     task_id INTEGER,
     error_code INTEGER,
     error_message TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     uncertain_day TEXT,
     not_before_ms INTEGER NOT NULL DEFAULT 0,
     verified_at_ms INTEGER,
     attempt_day TEXT
   )`,
  `CREATE INDEX recipient_groups_by_notification ON recipient_groups (notification_id)`,
  `CREATE INDEX recipient_groups_queue ON recipient_groups (queue_order, seq) WHERE status = 'queued'`,
  `CREATE INDEX recipient_groups_due ON recipient_groups (not_before_ms) WHERE status = 'queued'`,
  // A chunk's group is found by its reservation id while it is being sent, and by its task once sent.
  `CREATE INDEX recipient_groups_sending ON recipient_groups (reason) WHERE status = 'sending'`,
  `CREATE INDEX recipient_groups_task ON recipient_groups (task_id) WHERE task_id IS NOT NULL`,
  // Recipients of one request in the same state and the same 1,000 places become one group (a row stays far below the 2 MB a row may hold).
  // A group keeps its first member's seq as its own: a request accepted later takes a seq, and a queue order, past every migrated one.
  `INSERT INTO recipient_groups (seq, notification_id, queue_order, userids, positions, members, status, reason, detail, task_id, error_code, error_message,
                                 attempts, uncertain_day, not_before_ms, verified_at_ms, attempt_day)
     SELECT MIN(seq), notification_id, MIN(seq), group_concat(userid, ',' ORDER BY seq), group_concat(position, ',' ORDER BY seq), COUNT(*),
            status, reason, detail, task_id, error_code, error_message, attempts, uncertain_day, not_before_ms, verified_at_ms, attempt_day
     -- One sort of the old rows: groups are cut by place in the request (1,000 places each), which
     -- bounds them as well as cutting by state would, at a third of the time (1,000,000 rows: 4 s against 9 s in node:sqlite).
     FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY notification_id ORDER BY seq) - 1 AS position FROM notification_recipients r)
     GROUP BY notification_id, position / 1000, status, reason, detail, task_id, error_code, error_message, attempts, uncertain_day, not_before_ms, verified_at_ms, attempt_day
     ORDER BY MIN(seq)`,
  `DROP TABLE notification_recipients`,
];

/**
 * Version 4: the alarm prunes past days' reservations and stale departments
 * through an index instead of reading every row (a reservation row holds a
 * whole chunk's userids, so that read grew with the day's sends).
 */
const VERSION_4: readonly string[] = [
  `CREATE INDEX reservations_day ON reservations (day)`,
  `CREATE INDEX department_cache_fetched ON department_cache (fetched_at_ms)`,
];

/**
 * Version 5: the settled part of the minute window summed per second, kept
 * by triggers on `minute_window`, so an admission adds up at most a minute of
 * seconds and one second's rows instead of every send of the last minute (a
 * busy window is thousands of rows, read on every send).
 */
const VERSION_5: readonly string[] = [
  `CREATE TABLE minute_window_seconds (
     second INTEGER PRIMARY KEY,
     recipients INTEGER NOT NULL
   )`,
  `INSERT INTO minute_window_seconds (second, recipients)
     SELECT CAST(at_ms / 1000 AS INTEGER), SUM(recipients) FROM minute_window WHERE in_flight = 0 GROUP BY 1`,
  `CREATE TRIGGER minute_window_seconds_insert AFTER INSERT ON minute_window WHEN NEW.in_flight = 0
   BEGIN
     INSERT INTO minute_window_seconds (second, recipients) VALUES (CAST(NEW.at_ms / 1000 AS INTEGER), NEW.recipients)
       ON CONFLICT (second) DO UPDATE SET recipients = recipients + excluded.recipients;
   END`,
  `CREATE TRIGGER minute_window_seconds_update AFTER UPDATE OF at_ms, recipients, in_flight ON minute_window
   BEGIN
     UPDATE minute_window_seconds SET recipients = recipients - OLD.recipients WHERE OLD.in_flight = 0 AND second = CAST(OLD.at_ms / 1000 AS INTEGER);
     INSERT INTO minute_window_seconds (second, recipients) SELECT CAST(NEW.at_ms / 1000 AS INTEGER), NEW.recipients WHERE NEW.in_flight = 0
       ON CONFLICT (second) DO UPDATE SET recipients = recipients + excluded.recipients;
   END`,
  `CREATE TRIGGER minute_window_seconds_delete AFTER DELETE ON minute_window WHEN OLD.in_flight = 0
   BEGIN
     UPDATE minute_window_seconds SET recipients = recipients - OLD.recipients WHERE second = CAST(OLD.at_ms / 1000 AS INTEGER);
   END`,
];

/** MIGRATIONS[i] brings an object from version i to version i + 1. */
export const MIGRATIONS: readonly (readonly string[])[] = [VERSION_1, VERSION_2, VERSION_3, VERSION_4, VERSION_5];
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The version an object's storage is at: 0 when it is new. */
export function storedSchemaVersion(sql: SqlStorage): number {
  const hasMeta = sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray().length > 0;
  if (!hasMeta) return 0;
  const value = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").toArray()[0]?.value;
  return value === undefined ? 0 : Number(value);
}

/**
 * Brings the object's tables to SCHEMA_VERSION, one step at a time; run it
 * inside one transaction so a failed step leaves the object as it was.
 * Refuses storage written by a newer version rather than guess.
 */
export function migrate(sql: SqlStorage): { from: number; to: number } {
  const from = storedSchemaVersion(sql);
  if (!Number.isInteger(from) || from > SCHEMA_VERSION) {
    throw new Error(`this object's storage is at schema version ${from}; this code knows up to ${SCHEMA_VERSION}`);
  }
  for (let version = from; version < SCHEMA_VERSION; version++) {
    for (const statement of MIGRATIONS[version]!) sql.exec(statement);
  }
  if (from !== SCHEMA_VERSION) sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`, String(SCHEMA_VERSION));
  return { from, to: SCHEMA_VERSION };
}
