-- Time to recover: once a run's rules are removed, when its steady state held again and how many
-- seconds after the last removal that was. Both null while unknown, or when it did not come back in time.
alter table run add column recovered_at timestamptz, add column recovery_seconds double precision;
