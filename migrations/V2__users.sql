-- People who sign in. Roles expand by implication in code (admin > experimenter/approver > viewer).

create table app_user (
    id             bigint generated always as identity primary key,
    username       varchar(64)  not null unique,
    password_hash  varchar(100),                   -- bcrypt; null for single-sign-on users
    roles          text[]       not null,
    namespaces     text[]       not null default '{}', -- namespaces granted to this user ('*' = all allowed)
    disabled       boolean      not null default false,
    created_at     timestamptz  not null,
    created_by     varchar(200) not null
);
