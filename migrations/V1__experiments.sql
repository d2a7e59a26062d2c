-- Experiments as users wrote them (validated, canonical JSON), and every revision ever saved.

create table experiment (
    id          bigint generated always as identity primary key,
    name        varchar(63)  not null unique,
    team        varchar(63),
    tags        text[]       not null default '{}',
    document    jsonb        not null,
    revision    integer      not null check (revision > 0),
    created_at  timestamptz  not null,
    created_by  varchar(200) not null,
    updated_at  timestamptz  not null,
    updated_by  varchar(200) not null
);

create index experiment_team on experiment (team);
create index experiment_tags on experiment using gin (tags);

-- Kept by name, not by foreign key: the history of a deleted experiment stays readable,
-- and creating it again continues its numbering.
create table experiment_revision (
    id               bigint generated always as identity primary key,
    experiment_name  varchar(63)  not null,
    revision         integer      not null check (revision > 0),
    change           varchar(16)  not null check (change in ('CREATED', 'UPDATED', 'DELETED')),
    document         jsonb        not null,
    changed_at       timestamptz  not null,
    changed_by       varchar(200) not null,
    unique (experiment_name, revision)
);
