/**
 * The tables of one (corp, app) Durable Object; every table is documented in
 * worker/STORAGE.md. Bump SCHEMA_VERSION when a statement here changes, and add
 * the step that brings an older object up to date.
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA_STATEMENTS: readonly string[] = [
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

export function migrate(sql: SqlStorage): void {
  for (const statement of SCHEMA_STATEMENTS) sql.exec(statement);
  sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`, String(SCHEMA_VERSION));
}
