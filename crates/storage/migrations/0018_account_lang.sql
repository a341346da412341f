-- The language an account chose last (`id`, `en`): restored as the `lang` cookie at login,
-- so a choice made on one device follows the officer to the next.
ALTER TABLE accounts ADD COLUMN lang TEXT;
