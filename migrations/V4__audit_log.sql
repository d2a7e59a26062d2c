-- Every state-changing request, whoever made it and however it ended. Append-only: the triggers
-- below refuse UPDATE, DELETE and TRUNCATE, so not even the application can rewrite history.

create table audit_entry (
    id       bigint generated always as identity primary key,
    at       timestamptz   not null,
    actor    varchar(200),               -- null when the caller did not sign in
    via      varchar(16),                -- password | token
    method   varchar(10)   not null,
    path     varchar(1000) not null,     -- without the query string
    target   varchar(1000),              -- the resource created (Location) or acted on
    status   integer       not null,
    outcome  varchar(16)   not null,     -- SUCCEEDED | REJECTED | DENIED | FAILED
    source   varchar(100),               -- the caller's address
    detail   varchar(2000)               -- why it was rejected, denied or failed
);

create index audit_entry_at on audit_entry (at desc, id desc);
create index audit_entry_actor on audit_entry (actor, at desc);

create function audit_entry_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the audit log is append-only: % is not allowed', tg_op;
end
$$;

create trigger audit_entry_no_rewrite before update or delete on audit_entry
    for each row execute function audit_entry_append_only();
create trigger audit_entry_no_truncate before truncate on audit_entry
    for each statement execute function audit_entry_append_only();
