-- Runs of experiments: the document they ran (an immutable copy), their state, the rules they
-- wrote, an append-only timeline and the guardrail and probe samples.

create table run (
    id                  varchar(16)  primary key,          -- also names its rules: faultline-<id>
    experiment          varchar(63)  not null,
    revision            integer      not null,
    document            jsonb        not null,             -- the Experiment as it was when the run started
    state               varchar(16)  not null,
    verdict             varchar(16),                        -- COMPLETED | DEVIATED | ABORTED | FAILED | CANCELLED
    reason              text,
    target_namespace    varchar(63)  not null,
    target_service      varchar(253) not null,
    wider_blast_radius  boolean      not null default false,
    started_by          varchar(200) not null,
    created_at          timestamptz  not null,
    started_at          timestamptz,
    ended_at            timestamptz,
    owner               varchar(200) not null,             -- the Faultline instance running it
    heartbeat_at        timestamptz  not null,
    needs_cleanup       boolean      not null default false  -- a rule could not be removed; the reconciler keeps trying
);

create index run_experiment on run (experiment, created_at desc);
create index run_live on run (state) where ended_at is null;

create table run_rule (
    id          bigint generated always as identity primary key,
    run_id      varchar(16)  not null references run (id),
    kind        varchar(40)  not null,
    namespace   varchar(63)  not null,
    name        varchar(253) not null,
    route       varchar(253) not null,
    dedicated   boolean      not null,
    applied_at  timestamptz  not null,
    removed_at  timestamptz
);

create index run_rule_run on run_rule (run_id);

create table run_event (
    id       bigint generated always as identity primary key,
    run_id   varchar(16) not null references run (id),
    at       timestamptz not null,
    type     varchar(40) not null,
    message  text        not null
);

create index run_event_run on run_event (run_id, id);

create table run_sample (
    id         bigint generated always as identity primary key,
    run_id     varchar(16)  not null references run (id),
    check_path varchar(100) not null,                     -- spec.guardrails[0], spec.steadyState.probes[1]
    phase      varchar(16)  not null,                     -- PRECHECK | OBSERVING | POSTCHECK
    at         timestamptz  not null,
    value      double precision,                          -- null when there was no value
    passed     boolean      not null,
    threshold  varchar(200),
    reason     text
);

create index run_sample_run on run_sample (run_id, id);

-- The kill switch: one row. While halted, no run starts.
create table halt (
    id         integer      primary key check (id = 1),
    halted     boolean      not null,
    reason     text,
    changed_by varchar(200),
    changed_at timestamptz
);

insert into halt (id, halted) values (1, false);
