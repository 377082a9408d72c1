-- 0007_pb_process: filled in by its issue's work (placeholder so migration numbers stay in order).
SELECT 1;
