//! A mutation fuzzer on the stable toolchain (no libFuzzer: cargo-fuzz needs nightly): for each
//! target, inputs grown from its seed corpus (`fuzz/corpus/<target>/`) by random byte flips,
//! insertions, deletions, repeats and splices with interesting bytes, run for a bounded time.
//! Not coverage-guided, so weaker than libFuzzer; it does run millions of inputs. A panic saves
//! the input to `fuzz/artifacts/<target>/` and exits 1.
//!
//! `stable [SECONDS per target] [TARGET]`

use std::path::Path;
use std::time::{Duration, Instant};

/// xorshift64*: reproducible from the seed printed at the start.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[&[u8]] = &[
    b"0",
    b"9",
    b"-",
    b",",
    b"\"",
    b"\n",
    b"\r\n",
    b".",
    b"%",
    b"&",
    b"=",
    b"+",
    b"(",
    b")",
    b"and",
    b"or",
    b"not",
    b"known(",
    b"==",
    b">=",
    b"\xef\xbc\x91",
    b"\xff",
    b"\x00",
    b"NaN",
    b"1e309",
    b"31-02-2024",
    b"3312016306040027",
    b"  ",
    b"'",
    b"\xe2\x80\xae",
];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    for _ in 0..1 + rng.below(4) {
        let len = input.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(len + 1);
                input.insert(i, rng.next() as u8);
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(8));
                input.drain(i..i + n);
            }
            3 => {
                let i = rng.below(len + 1);
                let word = INTERESTING[rng.below(INTERESTING.len())];
                input.splice(i..i, word.iter().copied());
            }
            4 if len > 0 && len < 4096 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                let part = input[i..i + n].to_vec();
                input.splice(i..i, part);
            }
            5 if !corpus.is_empty() => {
                let other = &corpus[rng.below(corpus.len())];
                let at = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                input.truncate(at);
                input.extend_from_slice(&other[from..]);
            }
            _ if len > 0 => {
                let i = rng.below(len);
                input[i] = INTERESTING[rng.below(INTERESTING.len())][0];
            }
            _ => input.push(rng.next() as u8),
        }
    }
    input.truncate(8192);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let only = args.get(2).cloned();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
        | 1;
    println!("seed {seed}, {seconds} s per target");
    // A panic is reported by the driver, not printed by the hook for each one.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failed = false;
    for (name, target) in puskesos_fuzz::TARGETS {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        let mut corpus: Vec<Vec<u8>> = std::fs::read_dir(root.join("corpus").join(name))
            .map(|dir| {
                dir.flatten()
                    .filter_map(|e| std::fs::read(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        if corpus.is_empty() {
            corpus.push(Vec::new());
        }
        let mut rng = Rng(seed ^ name.len() as u64);
        let end = Instant::now() + Duration::from_secs(seconds);
        let mut runs: u64 = 0;
        while Instant::now() < end {
            for _ in 0..256 {
                let mut input = corpus[rng.below(corpus.len())].clone();
                mutate(&mut rng, &mut input, &corpus);
                runs += 1;
                if std::panic::catch_unwind(|| target(&input)).is_err() {
                    let dir = root.join("artifacts").join(name);
                    let _ = std::fs::create_dir_all(&dir);
                    let file = dir.join(format!("crash-{runs}"));
                    let _ = std::fs::write(&file, &input);
                    println!(
                        "{name}: PANIC after {runs} inputs; input saved to {}",
                        file.display()
                    );
                    failed = true;
                    break;
                }
                // Keep some mutants as new starting points (bounded).
                if corpus.len() < 2000 && rng.below(64) == 0 {
                    corpus.push(input);
                }
            }
            if failed {
                break;
            }
        }
        println!("{name}: {runs} inputs in {seconds} s, 0 panics");
        if failed {
            std::process::exit(1);
        }
    }
}
