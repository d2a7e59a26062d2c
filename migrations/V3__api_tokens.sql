-- API tokens for pipelines. The secret is shown once; only its SHA-256 is kept (it is random,
-- 190 bits, so a slow hash adds nothing).

create table api_token (
    id              bigint generated always as identity primary key,
    public_id       varchar(16)  not null unique,
    secret_sha256   varchar(64)  not null,
    owner           varchar(64)  not null references app_user (username) on delete cascade,
    name            varchar(100) not null,
    roles           text[]       not null,
    created_at      timestamptz  not null,
    expires_at      timestamptz  not null,
    revoked_at      timestamptz,
    last_used_at    timestamptz,
    last_used_from  varchar(100)
);

create index api_token_owner on api_token (owner);
