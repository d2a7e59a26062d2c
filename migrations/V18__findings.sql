-- The findings of a run (a JSON array of {kind, caller, service, message, evidence, suggestion, path, guardrail}),
-- drawn once from its impact, its namespace's posture and its samples after its rules were removed; null until then.
alter table run add column findings jsonb, add column findings_drawn_at timestamptz;
create index run_namespace on run (target_namespace, created_at desc);
