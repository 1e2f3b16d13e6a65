-- Hardening (issue 28): login throttling an attacker cannot turn against the owner, users that
-- can be disabled, and a journal of the operators' security commands.

-- Replaced by login_throttle: a count per login alone let anyone lock any account.
DROP TABLE login_failure;

-- Failed logins per key: 'addr:<client address>' (every login tried from that address) and
-- 'login:<login>|<client address>' (one login from one address). Past a free number of
-- failures, a key is blocked for a delay that doubles with each further failure; attempts
-- refused while blocked are not counted. Rows idle for an hour start again from zero.
CREATE TABLE login_throttle (
    key             TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL CHECK (failures >= 0),
    last_failure_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    blocked_until   TIMESTAMPTZ
);

-- A disabled user cannot log in, and their sessions are refused.
ALTER TABLE hub_user ADD COLUMN disabled_at TIMESTAMPTZ;

-- What operators did to accounts and sessions (appligarde-hub admin ...). Never a password.
CREATE TABLE admin_journal (
    id      BIGSERIAL PRIMARY KEY,
    at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
);
