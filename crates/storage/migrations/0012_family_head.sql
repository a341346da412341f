-- A search result line shows each family's head (name, NIK) and member count. Kept on the
-- family row by the registry's writes (registry.rs, `refresh_head`), so that a page of results
-- reads 25 family rows instead of looking up every member of 25 families.
ALTER TABLE families ADD COLUMN kepala_nama TEXT;
ALTER TABLE families ADD COLUMN kepala_nik TEXT;
ALTER TABLE families ADD COLUMN jumlah_anggota BIGINT NOT NULL DEFAULT 0;
UPDATE families SET
    kepala_nama = (SELECT p.nama FROM persons p WHERE p.family_id = families.id
                   ORDER BY p.urutan, p.id LIMIT 1),
    kepala_nik = (SELECT p.nik FROM persons p WHERE p.family_id = families.id
                  ORDER BY p.urutan, p.id LIMIT 1),
    jumlah_anggota = (SELECT COUNT(*) FROM persons p WHERE p.family_id = families.id);
