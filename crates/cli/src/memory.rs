//! How the server process hands memory back to the system. Both allocators in the process keep
//! freed memory for reuse by default: mimalloc (the Rust side) purges it a second late and commits
//! whole arenas at once; glibc malloc (SQLite's pages and statements) gives every thread that
//! allocates its own arena, and the web server's blocking pool has many threads. After a
//! burst of searches that is 340 MB of resident memory that is no longer in use; with the settings
//! below 153 MB (BENCHMARKS.md, issue 3), at no measured cost to page latency.

use std::ffi::{c_int, c_long};

// mimalloc's option API (the static library linked by the `mimalloc` crate, mimalloc 3). The
// numbers are the positions in its `mi_option_t`; the test below checks them against their
// documented defaults so that an upgrade that moves them fails loudly.
const MI_OPTION_ARENA_EAGER_COMMIT: c_int = 4;
const MI_OPTION_PURGE_DELAY: c_int = 15;

unsafe extern "C" {
    fn mi_option_set(option: c_int, value: c_long);
    #[cfg(test)]
    fn mi_option_get(option: c_int) -> c_long;
}

/// Settings for a long-running server: freed memory goes back to the system at once.
pub fn return_freed_memory_promptly() {
    // SAFETY: plain setters of process-wide allocator options, valid at any time.
    unsafe {
        mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mimalloc_option_numbers_name_the_options_meant() {
        // mimalloc 3's defaults: purge_delay 1000 ms, arena_eager_commit 2. Read before any set.
        unsafe {
            assert_eq!(mi_option_get(MI_OPTION_PURGE_DELAY), 1000);
            assert_eq!(mi_option_get(MI_OPTION_ARENA_EAGER_COMMIT), 2);
        }
        return_freed_memory_promptly();
        unsafe {
            assert_eq!(mi_option_get(MI_OPTION_PURGE_DELAY), 0);
            assert_eq!(mi_option_get(MI_OPTION_ARENA_EAGER_COMMIT), 0);
        }
    }
}
