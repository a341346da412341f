## Labels of coded answers (code-<field>-<code>)

code-status_rumah-milik_sendiri = Owned
code-status_rumah-kontrak_sewa = Rented/leased
code-status_rumah-bebas_sewa = Rent-free
code-status_rumah-dinas = Official (employer-provided) housing
code-status_rumah-tidak_punya = No house of its own

code-jenis_lantai-tanah = Earth
code-jenis_lantai-bambu = Bamboo
code-jenis_lantai-kayu_murah = Low-quality wood
code-jenis_lantai-semen_plester = Cement/red brick/plaster
code-jenis_lantai-kayu_kualitas_baik = High-quality wood
code-jenis_lantai-ubin_tegel = Cement tiles/terrazzo
code-jenis_lantai-keramik = Ceramic tiles
code-jenis_lantai-marmer_granit = Marble/granite

code-jenis_dinding-bambu_rumbia = Bamboo/sago-palm thatch
code-jenis_dinding-kayu_murah = Low-quality wood
code-jenis_dinding-tembok_tanpa_plester = Unplastered masonry
code-jenis_dinding-anyaman_bambu = Woven bamboo
code-jenis_dinding-kayu_kualitas_baik = High-quality wood
code-jenis_dinding-tembok = Masonry (plastered)

code-jenis_atap-ijuk_rumbia = Palm fibre/thatch
code-jenis_atap-bambu = Bamboo
code-jenis_atap-seng = Corrugated metal sheet
code-jenis_atap-asbes = Asbestos sheet
code-jenis_atap-genteng = Roof tiles
code-jenis_atap-beton = Concrete

code-kondisi_rumah-layak = Fit to live in
code-kondisi_rumah-rusak_ringan = Slightly damaged
code-kondisi_rumah-rusak_sedang = Moderately damaged
code-kondisi_rumah-rusak_berat = Heavily damaged

code-fasilitas_bab-sendiri = Own toilet
code-fasilitas_bab-bersama = Shared with other households
code-fasilitas_bab-umum = Public toilet
code-fasilitas_bab-tidak_ada = None

code-sumber_penerangan-listrik_pln = PLN grid electricity
code-sumber_penerangan-listrik_non_pln = Non-PLN electricity (generator, solar)
code-sumber_penerangan-bukan_listrik = Not electric (oil lamp, candle)

code-sumber_air_minum-kemasan = Bottled water
code-sumber_air_minum-ledeng = Piped water
code-sumber_air_minum-sumur_bor = Borehole/pump well
code-sumber_air_minum-sumur_terlindung = Protected well
code-sumber_air_minum-sumur_tidak_terlindung = Unprotected well
code-sumber_air_minum-mata_air_terlindung = Protected spring
code-sumber_air_minum-mata_air_tidak_terlindung = Unprotected spring
code-sumber_air_minum-sungai = River/lake/reservoir water
code-sumber_air_minum-hujan = Rainwater

code-bahan_bakar_memasak-listrik = Electricity
code-bahan_bakar_memasak-gas = Gas (LPG)
code-bahan_bakar_memasak-minyak_tanah = Kerosene
code-bahan_bakar_memasak-arang = Charcoal
code-bahan_bakar_memasak-kayu_bakar = Firewood
code-bahan_bakar_memasak-tidak_memasak = Does not cook at home

code-jenis_kelamin-L = Male
code-jenis_kelamin-P = Female

code-hubungan-kepala_keluarga = Head of the family
code-hubungan-istri_suami = Wife/husband
code-hubungan-anak = Child
code-hubungan-menantu = Son-/daughter-in-law
code-hubungan-cucu = Grandchild
code-hubungan-orang_tua = Parent
code-hubungan-mertua = Parent-in-law
code-hubungan-famili_lain = Other relative
code-hubungan-lainnya = Other

code-status_kawin-belum_kawin = Never married
code-status_kawin-kawin = Married
code-status_kawin-cerai_hidup = Divorced
code-status_kawin-cerai_mati = Widowed

code-pendidikan-tidak_sekolah = No schooling
code-pendidikan-tidak_tamat_sd = Did not finish primary school
code-pendidikan-sd = Primary school (SD or equivalent)
code-pendidikan-smp = Junior secondary school (SMP or equivalent)
code-pendidikan-sma = Senior secondary school (SMA/SMK or equivalent)
code-pendidikan-diploma = Diploma (D1/D2/D3)
code-pendidikan-sarjana = Bachelor's degree (S1/D4)
code-pendidikan-pascasarjana = Postgraduate degree (S2/S3)

code-jenjang_sekolah-tidak_sekolah = Not in school
code-jenjang_sekolah-paud = Early childhood (PAUD/kindergarten)
code-jenjang_sekolah-sd = Primary school (SD or equivalent)
code-jenjang_sekolah-smp = Junior secondary school (SMP or equivalent)
code-jenjang_sekolah-sma = Senior secondary school (SMA/SMK or equivalent)
code-jenjang_sekolah-pt = Higher education (college/university)

code-pekerjaan-tidak_bekerja = Not working
code-pekerjaan-sekolah = In school (student)
code-pekerjaan-mengurus_rumah_tangga = Homemaker
code-pekerjaan-petani_pemilik = Farmer on own land
code-pekerjaan-buruh_tani = Farm labourer
code-pekerjaan-buruh_perkebunan = Plantation labourer
code-pekerjaan-buruh_bangunan = Construction labourer
code-pekerjaan-nelayan = Fisher
code-pekerjaan-buruh_lainnya = Other labourer
code-pekerjaan-pedagang = Trader
code-pekerjaan-wiraswasta = Self-employed
code-pekerjaan-karyawan_swasta = Private-sector employee
code-pekerjaan-pns_tni_polri = Civil servant/military/police
code-pekerjaan-lainnya = Other

code-disabilitas-tidak_ada = None
code-disabilitas-fisik = Physical
code-disabilitas-intelektual = Intellectual
code-disabilitas-mental = Mental (psychosocial)
code-disabilitas-sensorik = Sensory (sight/hearing/speech)
code-disabilitas-ganda = Multiple

code-tingkat_disabilitas-ringan = Mild
code-tingkat_disabilitas-sedang = Moderate
code-tingkat_disabilitas-berat = Severe

code-status-ada = Present (lives here)
code-status-pindah = Moved away
code-status-meninggal = Deceased
