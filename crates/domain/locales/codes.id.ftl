## Labels of coded answers (code-<field>-<code>)

code-status_rumah-milik_sendiri = Milik sendiri
code-status_rumah-kontrak_sewa = Kontrak/sewa
code-status_rumah-bebas_sewa = Bebas sewa
code-status_rumah-dinas = Rumah dinas
code-status_rumah-tidak_punya = Tidak punya rumah

code-jenis_lantai-tanah = Tanah
code-jenis_lantai-bambu = Bambu
code-jenis_lantai-kayu_murah = Kayu kualitas rendah
code-jenis_lantai-semen_plester = Semen/bata merah/plesteran
code-jenis_lantai-kayu_kualitas_baik = Kayu kualitas tinggi
code-jenis_lantai-ubin_tegel = Ubin/tegel/teraso
code-jenis_lantai-keramik = Keramik
code-jenis_lantai-marmer_granit = Marmer/granit

code-jenis_dinding-bambu_rumbia = Bambu/rumbia
code-jenis_dinding-kayu_murah = Kayu kualitas rendah
code-jenis_dinding-tembok_tanpa_plester = Tembok tanpa plester
code-jenis_dinding-anyaman_bambu = Anyaman bambu
code-jenis_dinding-kayu_kualitas_baik = Kayu kualitas tinggi
code-jenis_dinding-tembok = Tembok

code-jenis_atap-ijuk_rumbia = Ijuk/rumbia
code-jenis_atap-bambu = Bambu
code-jenis_atap-seng = Seng
code-jenis_atap-asbes = Asbes
code-jenis_atap-genteng = Genteng
code-jenis_atap-beton = Beton

code-kondisi_rumah-layak = Layak huni
code-kondisi_rumah-rusak_ringan = Rusak ringan
code-kondisi_rumah-rusak_sedang = Rusak sedang
code-kondisi_rumah-rusak_berat = Rusak berat

code-fasilitas_bab-sendiri = Milik sendiri
code-fasilitas_bab-bersama = Bersama rumah tangga lain
code-fasilitas_bab-umum = Umum (MCK umum)
code-fasilitas_bab-tidak_ada = Tidak ada

code-sumber_penerangan-listrik_pln = Listrik PLN
code-sumber_penerangan-listrik_non_pln = Listrik non-PLN
code-sumber_penerangan-bukan_listrik = Bukan listrik

code-sumber_air_minum-kemasan = Air kemasan
code-sumber_air_minum-ledeng = Ledeng/PAM
code-sumber_air_minum-sumur_bor = Sumur bor/pompa
code-sumber_air_minum-sumur_terlindung = Sumur terlindung
code-sumber_air_minum-sumur_tidak_terlindung = Sumur tak terlindung
code-sumber_air_minum-mata_air_terlindung = Mata air terlindung
code-sumber_air_minum-mata_air_tidak_terlindung = Mata air tak terlindung
code-sumber_air_minum-sungai = Air sungai/danau/waduk
code-sumber_air_minum-hujan = Air hujan

code-bahan_bakar_memasak-listrik = Listrik
code-bahan_bakar_memasak-gas = Gas/elpiji
code-bahan_bakar_memasak-minyak_tanah = Minyak tanah
code-bahan_bakar_memasak-arang = Arang
code-bahan_bakar_memasak-kayu_bakar = Kayu bakar
code-bahan_bakar_memasak-tidak_memasak = Tidak memasak di rumah

code-jenis_kelamin-L = Laki-laki
code-jenis_kelamin-P = Perempuan

code-hubungan-kepala_keluarga = Kepala keluarga
code-hubungan-istri_suami = Istri/suami
code-hubungan-anak = Anak
code-hubungan-menantu = Menantu
code-hubungan-cucu = Cucu
code-hubungan-orang_tua = Orang tua
code-hubungan-mertua = Mertua
code-hubungan-famili_lain = Famili lain
code-hubungan-lainnya = Lainnya

code-status_kawin-belum_kawin = Belum kawin
code-status_kawin-kawin = Kawin
code-status_kawin-cerai_hidup = Cerai hidup
code-status_kawin-cerai_mati = Cerai mati

code-pendidikan-tidak_sekolah = Tidak/belum sekolah
code-pendidikan-tidak_tamat_sd = Tidak tamat SD/sederajat
code-pendidikan-sd = SD/sederajat
code-pendidikan-smp = SMP/sederajat
code-pendidikan-sma = SMA/sederajat
code-pendidikan-diploma = Diploma (D1/D2/D3)
code-pendidikan-sarjana = Sarjana (S1/D4)
code-pendidikan-pascasarjana = Pascasarjana (S2/S3)

code-jenjang_sekolah-tidak_sekolah = Tidak sedang sekolah
code-jenjang_sekolah-paud = PAUD/TK
code-jenjang_sekolah-sd = SD/sederajat
code-jenjang_sekolah-smp = SMP/sederajat
code-jenjang_sekolah-sma = SMA/sederajat
code-jenjang_sekolah-pt = Perguruan tinggi

code-pekerjaan-tidak_bekerja = Tidak/belum bekerja
code-pekerjaan-sekolah = Sekolah (pelajar/mahasiswa)
code-pekerjaan-mengurus_rumah_tangga = Mengurus rumah tangga
code-pekerjaan-petani_pemilik = Petani pemilik lahan
code-pekerjaan-buruh_tani = Buruh tani
code-pekerjaan-buruh_perkebunan = Buruh perkebunan
code-pekerjaan-buruh_bangunan = Buruh bangunan
code-pekerjaan-nelayan = Nelayan
code-pekerjaan-buruh_lainnya = Buruh lainnya
code-pekerjaan-pedagang = Pedagang
code-pekerjaan-wiraswasta = Wiraswasta
code-pekerjaan-karyawan_swasta = Karyawan swasta
code-pekerjaan-pns_tni_polri = PNS/TNI/Polri
code-pekerjaan-lainnya = Lainnya

code-disabilitas-tidak_ada = Tidak ada
code-disabilitas-fisik = Fisik
code-disabilitas-intelektual = Intelektual
code-disabilitas-mental = Mental
code-disabilitas-sensorik = Sensorik (netra/rungu/wicara)
code-disabilitas-ganda = Ganda/multi

code-tingkat_disabilitas-ringan = Ringan
code-tingkat_disabilitas-sedang = Sedang
code-tingkat_disabilitas-berat = Berat

code-status-ada = Ada (tinggal di sini)
code-status-pindah = Pindah
code-status-meninggal = Meninggal
