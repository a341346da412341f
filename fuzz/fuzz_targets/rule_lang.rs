#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| puskesos_fuzz::rule_lang(data));
