-- A voting code can be cancelled ('void'): a letter returned undelivered, a damaged card, a code
-- seen by someone else.
ALTER TABLE pb_codes DROP CONSTRAINT pb_codes_state_check;
ALTER TABLE pb_codes ADD CONSTRAINT pb_codes_state_check CHECK (state IN ('unused', 'online', 'paper', 'void'));
