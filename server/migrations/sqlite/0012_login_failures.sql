-- Failed logins are counted per (user name, client address), not per
-- account: a stranger guessing at an account slows down only their own
-- address, never the account's owner elsewhere. Unknown names are counted
-- the same way as known ones, so the answers (and the work behind them)
-- do not tell which names exist. A row is forgotten an hour after its last
-- failure. `users.failed_logins` and `users.locked_until_ms` are no
-- longer read.
CREATE TABLE login_failures (
    username        TEXT NOT NULL,
    address         TEXT NOT NULL,
    failures        INTEGER NOT NULL,
    last_failure_ms INTEGER NOT NULL,
    locked_until_ms INTEGER NOT NULL,
    PRIMARY KEY (username, address)
);
CREATE INDEX login_failures_by_age ON login_failures (last_failure_ms);

-- User names are compared in one form (NFKC, lower case) from now on.
-- Names already stored are lowered where that meets no other account's
-- name; the few that would collide keep their spelling (an admin renames
-- them by hand).
UPDATE users SET username = lower(username)
WHERE username <> lower(username)
  AND NOT EXISTS (SELECT 1 FROM users other WHERE other.username = lower(users.username));
