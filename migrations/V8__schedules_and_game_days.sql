-- Schedules: an experiment on a cron expression (Quartz syntax, seconds first) in a time zone, with
-- an optional active window, blackouts, jitter and pause. Each fire is recorded: the run it
-- started, or why it started none.

create table schedule (
    name        varchar(63)  primary key,
    experiment  varchar(63)  not null,
    document    jsonb        not null,              -- the schedule as written (cron, timeZone, window, blackouts, jitter, paused)
    paused      boolean      not null default false,
    created_at  timestamptz  not null,
    created_by  varchar(200) not null,
    updated_at  timestamptz  not null,
    updated_by  varchar(200) not null
);

create table schedule_fire (
    id            bigint generated always as identity primary key,
    schedule      varchar(63)  not null references schedule (name) on delete cascade,
    scheduled_for timestamptz  not null,           -- the cron's fire time
    at            timestamptz  not null,           -- when it was handled (after jitter)
    run_id        varchar(16),                     -- the run it started, or
    skipped       text,                            -- why it started none
    instance      varchar(200) not null,
    unique (schedule, scheduled_for)               -- one record, and so one run, per fire whatever the replicas do
);

create index schedule_fire_recent on schedule_fire (schedule, scheduled_for desc);

-- Game days: a planned event running experiments step by step, approved by someone other than
-- its creator; afterwards, findings and follow-up actions.

create table game_day (
    name         varchar(63)  primary key,
    document     jsonb        not null,             -- title, description, startAt, steps, participants
    state        varchar(16)  not null,             -- PLANNED APPROVED RUNNING COMPLETED FAILED CANCELLED
    reason       text,
    created_at   timestamptz  not null,
    created_by   varchar(200) not null,
    updated_at   timestamptz  not null,
    updated_by   varchar(200) not null,
    approved_at  timestamptz,
    approved_by  varchar(200),
    started_at   timestamptz,
    ended_at     timestamptz,
    owner        varchar(200),                      -- the instance carrying it out
    heartbeat_at timestamptz
);

create table game_day_run (
    id        bigint generated always as identity primary key,
    game_day  varchar(63) not null references game_day (name) on delete cascade,
    step      integer     not null,
    experiment varchar(63) not null,
    run_id    varchar(16),
    outcome   varchar(16),                          -- the run's verdict, or NOT_STARTED
    detail    text
);

create index game_day_run_day on game_day_run (game_day, step, id);

create table game_day_note (
    id        bigint generated always as identity primary key,
    game_day  varchar(63)  not null references game_day (name) on delete cascade,
    kind      varchar(16)  not null,                -- FINDING | ACTION
    text      text         not null,
    owner     varchar(200),                         -- an action's owner
    due       date,                                 -- an action's due date
    done      boolean      not null default false,
    at        timestamptz  not null,
    author    varchar(200) not null
);
