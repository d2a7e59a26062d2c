-- Secrets that HTTP probes send in headers ({valueFrom: {secret: NAME}} in a document). Write-only:
-- the value is kept only encrypted (AES-256-GCM, a fresh nonce per value) under faultline.secrets.key;
-- key_fingerprint says which key, so a value stored under another key is refused with a clear reason.
-- A value is sent only to the hosts listed with it.
create table secret (
    name            varchar(63)  primary key,
    ciphertext      bytea        not null,
    nonce           bytea        not null,
    key_fingerprint varchar(64)  not null,
    hosts           text[]       not null,
    created_at      timestamptz  not null,
    created_by      varchar(255) not null,
    updated_at      timestamptz  not null,
    updated_by      varchar(255) not null
);
