-- Audit entries name the operation a feature service carried out (experiment.update, run.abort, ...)
-- and the door it came through (via: api | ui | schedule | gameday); how the caller signed in moves
-- to signed_in_with. Entries made outside an API request have no method and path.

alter table audit_entry add column signed_in_with varchar(16);
alter table audit_entry add column operation varchar(64);
alter table audit_entry alter column method drop not null;
alter table audit_entry alter column path drop not null;

-- The one rewrite the log allows: moving old entries to the new columns, by this migration only.
alter table audit_entry disable trigger audit_entry_no_rewrite;
update audit_entry set signed_in_with = via, via = 'api' where via in ('password', 'token', 'oidc');
update audit_entry set via = 'api' where via is null;
alter table audit_entry enable trigger audit_entry_no_rewrite;

create index audit_entry_operation on audit_entry (operation, at desc);
