-- A pooled-budget line that funds a community budget vote names the vote (its process), so the pool
-- report can show the vote's pot, what the residents' choice funded and what delivery has spent.
ALTER TABLE pool_lines ADD COLUMN pb_process_id BIGINT REFERENCES pb_processes (id) ON DELETE SET NULL;
