-- Safety when Faultline's own dependencies fail.
-- epoch: grows on every takeover of a run; every write the owner makes is conditional on it, so a
-- paused owner that wakes after a takeover is refused.
-- abort_*: an abort received by an instance that does not carry the run out. That instance removes
-- the rules itself, then the owner (or, if it is gone, that instance) ends the run with this reason.
alter table run add column epoch bigint not null default 1;
alter table run add column abort_requested_at timestamptz;
alter table run add column abort_reason text;
create index run_rule_namespaces on run_rule (namespace);
