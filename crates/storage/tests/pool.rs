//! A connection that goes back to the pool with its transaction open (a panic half-way) is
//! rolled back first: the next user of that connection starts clean and the half-done write is
//! gone. On both engines.

use puskesos_storage::db::SqlValue;
use puskesos_storage::testing;

#[test]
fn a_connection_dropped_inside_a_transaction_is_rolled_back_before_reuse() {
    for t in testing::all() {
        // More connections than the pool holds, each left inside a transaction with a write.
        for i in 0..12 {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut c = t.db.conn().unwrap();
                let _ = c.transaction(|c| {
                    c.execute(
                        "INSERT INTO dci_messages (partner_id, message_id, received_at) \
                         VALUES ($1, $2, $3)",
                        &["p".into(), format!("m{i}").into(), SqlValue::Int(0)],
                    )?;
                    panic!("half-way");
                    #[allow(unreachable_code)]
                    Ok::<_, puskesos_storage::StorageError>(())
                });
            }));
            assert!(result.is_err());
        }
        // Every pooled connection starts a new transaction and sees none of those writes.
        for _ in 0..12 {
            let mut c = t.db.conn().unwrap();
            c.transaction(|c| {
                let n = c.query_i64("SELECT COUNT(*) FROM dci_messages", &[])?;
                assert_eq!(n, 0, "{}: a half-done write survived", t.label);
                Ok::<_, puskesos_storage::StorageError>(())
            })
            .unwrap_or_else(|e| panic!("{}: {e}", t.label));
        }
    }
}
