-- Notification channels stored by admins (channels declared in configuration are not stored).
-- url and secret are secrets: never logged, never answered by the API.
create table channel (
    name        varchar(63)  primary key,
    kind        varchar(16)  not null check (kind in ('slack', 'webhook')),
    url         text         not null,
    secret      text,                                     -- HMAC key of a webhook, optional
    created_at  timestamptz  not null,
    created_by  varchar(200) not null,
    updated_at  timestamptz  not null,
    updated_by  varchar(200) not null
);

-- Every attempt to deliver a notification, shown on its run.
create table notification_delivery (
    id       bigint generated always as identity primary key,
    run_id   varchar(16)  references run (id),            -- null for a channel's test message
    channel  varchar(63)  not null,
    event    varchar(16)  not null,                       -- started | aborted | deviated | failed | completed | test
    attempt  integer      not null,
    at       timestamptz  not null,
    status   integer,                                     -- the receiver's HTTP status, null when it did not answer
    outcome  varchar(16)  not null,                       -- DELIVERED | RETRYING | FAILED
    detail   text
);

create index notification_delivery_run on notification_delivery (run_id, id);
