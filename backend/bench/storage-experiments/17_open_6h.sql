-- Emulates a 6-hour open partition: the open day (11-29) gets a partial GIN for its chunks before 18:00, so only the
-- last 6 hours are searched without an index (plpgsql EXECUTE plans with the window's values, so the planner can
-- prove `start_min < window end <= 18:00` for the older windows).
\timing on
create index c1w_1129_gin_before18 on c1w_1129 using gin (addrs) where start_min < '2026-11-29 18:00+00';
