-- Retention: old ended runs lose their samples, timelines and deliveries in batches, and the run
-- says when; audit rows are kept longer and may go only through the retention job.

alter table run add column samples_removed_at timestamptz;
alter table run add column timeline_removed_at timestamptz;

create index run_ended on run (ended_at) where ended_at is not null;
create index notification_delivery_at on notification_delivery (at) where run_id is null;

-- The log stays append-only: UPDATE and TRUNCATE are refused, and so is an ordinary DELETE. A DELETE
-- passes only in a transaction that set faultline.audit_expiry = 'on' and faultline.audit_keep (an
-- interval of at least a day, set by the retention job with set_config(..., true)), and only for rows
-- older than that.
create or replace function audit_entry_append_only() returns trigger language plpgsql as $$
declare
    keep interval;
begin
    if tg_op = 'DELETE' and coalesce(current_setting('faultline.audit_expiry', true), '') = 'on' then
        keep := nullif(current_setting('faultline.audit_keep', true), '')::interval;
        if keep >= interval '1 day' and old.at < now() - keep then
            return old;
        end if;
        raise exception 'the audit log is append-only: entry % (at %) is younger than the retention %', old.id, old.at, keep;
    end if;
    raise exception 'the audit log is append-only: % is not allowed', tg_op;
end
$$;
