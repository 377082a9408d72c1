-- 0005_coproduction: filled in by its issue's work (placeholder so migration numbers stay in order).
SELECT 1;
