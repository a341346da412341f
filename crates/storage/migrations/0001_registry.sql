-- The village social registry: families (one Kartu Keluarga each) and their members, the change
-- history every write leaves, and the audit log of who read or changed a person's data.
-- Portable SQL for SQLite and PostgreSQL: ids are app-made UUIDv7 text, dates are ISO text,
-- timestamps are BIGINT milliseconds since the epoch, yes/no is BIGINT 0/1. Every big table
-- carries the village code (kode_wilayah) first in its primary key, the future shard key.

CREATE TABLE families (
    no_kk TEXT NOT NULL,
    kode_wilayah TEXT NOT NULL,
    alamat TEXT,
    rt TEXT,
    rw TEXT,
    desil BIGINT,
    status_rumah TEXT,
    luas_lantai DOUBLE PRECISION,
    jenis_lantai TEXT,
    jenis_dinding TEXT,
    jenis_atap TEXT,
    kondisi_rumah TEXT,
    fasilitas_bab TEXT,
    sumber_penerangan TEXT,
    daya_listrik BIGINT,
    sumber_air_minum TEXT,
    bahan_bakar_memasak TEXT,
    makan_per_hari BIGINT,
    daging_per_minggu BIGINT,
    pakaian_baru_per_tahun BIGINT,
    mampu_berobat BIGINT,
    rawan_pangan BIGINT,
    pangan_lebih_separuh BIGINT,
    luas_lahan DOUBLE PRECISION,
    penghasilan_kepala BIGINT,
    aset_500rb BIGINT,
    pkh_sejak TEXT,
    bpnt_sejak TEXT,
    rs_rtlh_sejak TEXT,
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (kode_wilayah, id)
);
CREATE UNIQUE INDEX families_no_kk ON families (no_kk);
CREATE UNIQUE INDEX families_id ON families (id);
CREATE INDEX families_rt_rw ON families (kode_wilayah, rw, rt);

CREATE TABLE persons (
    kode_wilayah TEXT NOT NULL,
    id TEXT NOT NULL,
    family_id TEXT NOT NULL,
    urutan BIGINT NOT NULL,
    nik TEXT NOT NULL,
    nama TEXT NOT NULL,
    jenis_kelamin TEXT,
    tempat_lahir TEXT,
    tanggal_lahir TEXT,
    hubungan TEXT,
    status_kawin TEXT,
    pendidikan TEXT,
    jenjang_sekolah TEXT,
    kelas BIGINT,
    tingkat_akhir BIGINT,
    pekerjaan TEXT,
    disabilitas TEXT,
    tingkat_disabilitas TEXT,
    penyakit_kronis TEXT,
    hamil BIGINT,
    status TEXT,
    status_tanggal TEXT,
    pip_sejak TEXT,
    pbi_jkn_sejak TEXT,
    atensi_sejak TEXT,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (kode_wilayah, id),
    FOREIGN KEY (family_id) REFERENCES families (id)
);
CREATE UNIQUE INDEX persons_nik ON persons (nik);
CREATE INDEX persons_family ON persons (family_id, urutan);

-- Append-only: one row per save of a family (the unit of consistency), holding a JSON array of
-- entries {"entity": "family"|"person", "id", "action": "create"|"update"|"mark",
-- "fields": {"field": [old, new]}}. Replaying a village's rows in id order rebuilds its registry.
CREATE TABLE changes (
    kode_wilayah TEXT NOT NULL,
    id TEXT NOT NULL,
    at BIGINT NOT NULL,
    family_id TEXT NOT NULL,
    changed TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    source TEXT NOT NULL,
    PRIMARY KEY (kode_wilayah, id)
);
CREATE INDEX changes_family ON changes (family_id, id);

-- UU 27/2022 Ps 31: a record of every processing of personal data.
CREATE TABLE audit_log (
    kode_wilayah TEXT NOT NULL,
    id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    detail TEXT,
    PRIMARY KEY (kode_wilayah, id)
);
CREATE INDEX audit_log_entity ON audit_log (entity_id, at);
