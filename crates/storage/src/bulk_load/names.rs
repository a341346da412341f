//! The name-search index of a bulk load, prepared on the second core while the load writes.
//!
//! The writer hands each new family's member names to a helper thread, which splits them into
//! words and keeps them compactly (ids as 16 bytes, words interned). At the end the helper sorts
//! them in the index's key order (word, village, family, member) while the writer builds the
//! other indexes, and the writer appends them to `person_names` in that order: no staging table,
//! no sort inside the database, no second read of the members.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use uuid::Uuid;

use crate::StorageError;
use crate::db::{Conn, Param};
use crate::registry::name_tokens;

/// New families travel in batches: one channel hand-over per family costs more than its words.
const BATCH: usize = 512;

/// A family created by the load, with its new members' `(id, name)`.
struct NewFamily {
    village: String,
    id: Uuid,
    members: Vec<(Uuid, Option<String>)>,
}

enum Message {
    Families(Vec<NewFamily>),
    /// Every family has been sent: sort, and send the rows back through this channel.
    Finish(SyncSender<Chunk>),
}

/// Sends new families' names to the helper thread; see the module documentation.
pub(super) struct NameCollector {
    tx: SyncSender<Message>,
    helper: JoinHandle<Option<usize>>,
    batch: Vec<NewFamily>,
}

/// A record id as its 16 bytes.
pub(super) fn uuid_of(id: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(id).map_err(|e| StorageError::Corrupt(format!("record id {id}: {e}")))
}

impl NameCollector {
    pub(super) fn start() -> NameCollector {
        let (tx, rx) = sync_channel(16);
        NameCollector {
            tx,
            helper: std::thread::spawn(move || collect(rx)),
            batch: Vec::with_capacity(BATCH),
        }
    }

    /// A family this load created and the members it created with it.
    pub(super) fn add<'a>(
        &mut self,
        village: &str,
        family_id: &str,
        members: impl Iterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Result<(), StorageError> {
        let members = members
            .map(|(id, name)| Ok((uuid_of(id)?, name.map(str::to_string))))
            .collect::<Result<_, StorageError>>()?;
        self.batch.push(NewFamily {
            village: village.to_string(),
            id: uuid_of(family_id)?,
            members,
        });
        if self.batch.len() == BATCH {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<(), StorageError> {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.tx
            .send(Message::Families(batch))
            .map_err(|_| StorageError::Corrupt("the name-index helper stopped".into()))
    }

    /// Tells the helper that every family was sent; it sorts while the caller goes on.
    pub(super) fn close(mut self) -> Result<PendingNames, StorageError> {
        self.send()?;
        let (rows_tx, rows) = sync_channel(4);
        self.tx
            .send(Message::Finish(rows_tx))
            .map_err(|_| StorageError::Corrupt("the name-index helper stopped".into()))?;
        Ok(PendingNames {
            rows,
            helper: self.helper,
        })
    }
}

/// The helper sorting the names after [`NameCollector::close`]; it then sends the index's
/// rows in key order, a chunk at a time, so that making their text runs beside the inserts.
pub(super) struct PendingNames {
    rows: Receiver<Chunk>,
    helper: JoinHandle<Option<usize>>,
}

impl PendingNames {
    /// Appends the sorted names to the (empty) name index.
    pub(super) fn write(self, conn: &mut Conn) -> Result<(), StorageError> {
        let mut written = 0;
        for chunk in self.rows.iter() {
            written += chunk.len();
            let params: Vec<Param> = chunk.rows().flatten().map(Param::Text).collect();
            conn.insert_rows(
                "INSERT INTO person_names (token, kode_wilayah, family_id, person_id, words)",
                5,
                &params,
                "",
            )?;
        }
        // The channel also closes when the helper fails: only its count says it finished.
        match self.helper.join() {
            Ok(Some(sent)) if sent == written => Ok(()),
            _ => Err(StorageError::Corrupt("the name-index helper failed".into())),
        }
    }
}

/// Rows of the name index as one text and where each row's five values end in it.
struct Chunk {
    text: String,
    ends: Vec<u32>,
}

impl Chunk {
    const ROWS: usize = 8192;

    fn new() -> Chunk {
        Chunk {
            text: String::with_capacity(Chunk::ROWS * 112),
            ends: Vec::with_capacity(Chunk::ROWS * 5),
        }
    }

    fn len(&self) -> usize {
        self.ends.len() / 5
    }

    fn push(&mut self, values: [&str; 5]) {
        for v in values {
            self.text.push_str(v);
            self.ends.push(self.text.len() as u32);
        }
    }

    fn rows(&self) -> impl Iterator<Item = [&str; 5]> {
        self.ends.chunks_exact(5).enumerate().map(|(i, ends)| {
            let mut start = if i == 0 {
                0
            } else {
                self.ends[i * 5 - 1] as usize
            };
            std::array::from_fn(|j| {
                let value = &self.text[start..ends[j] as usize];
                start = ends[j] as usize;
                value
            })
        })
    }
}

/// A member as the helper keeps it: 28 bytes and its words in a shared text.
struct Member {
    id: Uuid,
    family: u32,
    words_start: u32,
    words_len: u32,
}

/// Words and villages interned: each distinct text once, rows refer to it by number.
#[derive(Default)]
struct Interner {
    index: HashMap<Box<str>, u32>,
    texts: Vec<Box<str>>,
}

impl Interner {
    fn id(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        let i = self.texts.len() as u32;
        self.texts.push(text.into());
        self.index.insert(text.into(), i);
        i
    }

    /// The texts in byte order (the databases' order for these keys: lower-case letters and
    /// digits, village codes of digits), and each text's rank in it.
    fn sorted(self) -> (Vec<Box<str>>, Vec<u32>) {
        drop(self.index);
        let mut order: Vec<u32> = (0..self.texts.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.texts[a as usize].cmp(&self.texts[b as usize]));
        let mut rank = vec![0u32; order.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        let mut texts: Vec<Option<Box<str>>> = self.texts.into_iter().map(Some).collect();
        let sorted = order
            .iter()
            .map(|&i| texts[i as usize].take().unwrap_or_default())
            .collect();
        (sorted, rank)
    }
}

/// Runs on the helper thread until [`Message::Finish`], then sends the rows; the number sent,
/// or `None` when the writer went away (a failed load).
fn collect(rx: Receiver<Message>) -> Option<usize> {
    let mut villages = Interner::default();
    let mut tokens = Interner::default();
    let mut families: Vec<(Uuid, u32)> = Vec::new();
    let mut members: Vec<Member> = Vec::new();
    let mut words = String::new();
    // (word, member, 0) in arrival order, made (word rank, village rank, member rank) in place
    // at the end: one array of 12 bytes a word instead of two.
    let mut entries: Vec<(u32, u32, u32)> = Vec::new();
    let rows_tx = loop {
        match rx.recv().ok()? {
            Message::Finish(rows_tx) => break rows_tx,
            Message::Families(batch) => {
                for family in batch {
                    let village = villages.id(&family.village);
                    let family_ix = families.len() as u32;
                    families.push((family.id, village));
                    for (id, name) in family.members {
                        let member_ix = members.len() as u32;
                        let name_words = name.as_deref().map(name_tokens).unwrap_or_default();
                        let start = words.len();
                        for (i, w) in name_words.iter().enumerate() {
                            if i > 0 {
                                words.push(' ');
                            }
                            words.push_str(w);
                            entries.push((tokens.id(w), member_ix, 0));
                        }
                        members.push(Member {
                            id,
                            family: family_ix,
                            words_start: start as u32,
                            words_len: (words.len() - start) as u32,
                        });
                    }
                }
            }
        }
    };
    // The last two parts of the index key are the family id and the member id.
    let id_key = |m: &Member| (families[m.family as usize].0, m.id);
    let mut by_id: Vec<u32> = (0..members.len() as u32).collect();
    by_id.sort_unstable_by_key(|&m| id_key(&members[m as usize]));
    let mut member_rank = vec![0u32; members.len()];
    for (r, &m) in by_id.iter().enumerate() {
        member_rank[m as usize] = r as u32;
    }
    drop(by_id);
    let (villages, village_rank) = villages.sorted();
    let (tokens, token_rank) = tokens.sorted();
    for entry in &mut entries {
        let (token, member, _) = *entry;
        let village = families[members[member as usize].family as usize].1;
        *entry = (
            token_rank[token as usize],
            village_rank[village as usize],
            member_rank[member as usize],
        );
    }
    drop(member_rank);
    entries.sort_unstable();
    // Members in rank order, so that the rows of one word read them in ascending order.
    members.sort_unstable_by_key(id_key);
    SortedNames {
        villages,
        tokens,
        families,
        members,
        words,
        keys: entries,
    }
    .send(&rows_tx)
}

/// The name index's rows in key order, ready to append.
struct SortedNames {
    villages: Vec<Box<str>>,
    tokens: Vec<Box<str>>,
    families: Vec<(Uuid, u32)>,
    /// In (family id, member id) order: a member's rank is its place here.
    members: Vec<Member>,
    words: String,
    /// (word rank, village rank, member rank), sorted.
    keys: Vec<(u32, u32, u32)>,
}

impl SortedNames {
    /// Sends the rows in chunks; the number sent, or `None` when the writer went away.
    fn send(self, rows_tx: &SyncSender<Chunk>) -> Option<usize> {
        let mut chunk = Chunk::new();
        let mut family_buf = Uuid::encode_buffer();
        let mut member_buf = Uuid::encode_buffer();
        for &(token, village, rank) in &self.keys {
            let m = &self.members[rank as usize];
            let start = m.words_start as usize;
            // The ids as the registry stores them: lower-case hyphenated UUIDs.
            chunk.push([
                &self.tokens[token as usize],
                &self.villages[village as usize],
                self.families[m.family as usize]
                    .0
                    .hyphenated()
                    .encode_lower(&mut family_buf),
                m.id.hyphenated().encode_lower(&mut member_buf),
                &self.words[start..start + m.words_len as usize],
            ]);
            if chunk.len() == Chunk::ROWS {
                rows_tx
                    .send(std::mem::replace(&mut chunk, Chunk::new()))
                    .ok()?;
            }
        }
        rows_tx.send(chunk).ok()?;
        Some(self.keys.len())
    }
}
