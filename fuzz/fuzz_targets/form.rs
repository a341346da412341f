#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| puskesos_fuzz::form(data));
