//! What an import remembers and looks up besides the rows themselves: the values the team
//! mapped to a code (`--correspondance … --retenir`) and which row fingerprints are already in
//! the file (`--simuler`, which writes nothing).

use super::Store;
use crate::error::Result;
use rusqlite::params;
use std::collections::HashSet;

/// A value of one spreadsheet column and the code it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportAlias {
    /// The column's name: `partenaire`, `statut`…
    pub list: String,
    /// The value folded (`crate::text::fold`).
    pub value_key: String,
    /// The value as written.
    pub value: String,
    pub code: String,
}

impl Store {
    /// Every remembered mapping.
    pub fn import_aliases(&self) -> Result<Vec<ImportAlias>> {
        let mut st = self.conn().prepare_cached(
            "SELECT list, value_key, value, code FROM import_alias ORDER BY list, value_key",
        )?;
        let rows = st.query_map([], |r| {
            Ok(ImportAlias {
                list: r.get(0)?,
                value_key: r.get(1)?,
                value: r.get(2)?,
                code: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Keeps `aliases` for the next imports (a value mapped again takes its new code).
    pub fn remember_import_aliases(&mut self, aliases: &[ImportAlias]) -> Result<()> {
        self.write(|tx, ctx| {
            for a in aliases {
                tx.execute(
                    "INSERT INTO import_alias (list, value_key, value, code, created_at, created_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (list, value_key) DO UPDATE SET code = excluded.code,
                         created_at = excluded.created_at, created_by = excluded.created_by",
                    params![a.list, a.value_key, a.value, a.code, ctx.now(), ctx.actor],
                )?;
            }
            Ok(())
        })
    }

    /// Which of these row fingerprints a request of the file already carries.
    pub fn import_keys_present(&self, keys: &[String]) -> Result<HashSet<String>> {
        let mut st = self
            .conn()
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM request WHERE import_key = ?1)")?;
        let mut found = HashSet::new();
        for k in keys {
            if st.query_row([k], |r| r.get::<_, bool>(0))? {
                found.insert(k.clone());
            }
        }
        Ok(found)
    }
}
