-- Approvals pin revisions: approving a game day records the revision of every experiment it runs
-- ({"reviews-latency": 3, ...}), and its steps run exactly those. A newer revision of one of them
-- takes the approval back.
alter table game_day add column approved_revisions jsonb;

-- Game days approved before this version were approved without revisions, so what their approval
-- covered is not known: it is taken back, and an approver approves them again.
update game_day
   set state = 'PLANNED', reason = 'approved before approvals recorded revisions; awaiting approval again',
       approved_at = null, approved_by = null
 where state = 'APPROVED';

-- A fire refused because whoever the schedule fires for may no longer run it (disabled, deleted,
-- without the experimenter role or the namespace's grant): why; it started no run.
alter table schedule_fire add column refused text;
