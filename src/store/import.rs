//! Writing checked spreadsheet rows: all of them or none, a row already imported (same
//! fingerprint) skipped. The checks themselves live in `crate::import`.

use super::log::refer_in;
use super::refdata::{ensure_agent, ensure_event};
use super::requests::create;
use super::{NewReferral, NewRequest, Store};
use crate::error::Result;

/// One checked row of a spreadsheet.
#[derive(Debug, Clone)]
pub struct ParsedRow {
    /// The request, with its `import_key` (the row's fingerprint) set.
    pub request: NewRequest,
    pub agent: Option<String>,
    pub event: Option<String>,
    pub partner_id: Option<String>,
    /// The status was given explicitly (a referral then leaves it alone).
    pub explicit_status: bool,
    /// The aid columns (dispositif, montant…), when filled.
    pub aid: Option<super::aids::ImportedAid>,
}

/// What an import wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportCounts {
    pub added: usize,
    pub already_there: usize,
    pub persons_reused: usize,
    pub referrals: usize,
}

impl Store {
    /// Writes `rows` in one transaction: every new row, or nothing.
    pub fn import_rows(&mut self, rows: &[ParsedRow]) -> Result<ImportCounts> {
        self.write(|tx, ctx| {
            let mut counts = ImportCounts::default();
            for p in rows {
                let mut r = p.request.clone();
                let exists: bool = tx
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM request WHERE import_key = ?1)")?
                    .query_row([&r.import_key], |row| row.get(0))?;
                if exists {
                    counts.already_there += 1;
                    continue;
                }
                r.agent_id = match &p.agent {
                    Some(a) => Some(ensure_agent(tx, ctx, a)?),
                    None => None,
                };
                r.event_id = match &p.event {
                    Some(e) => Some(ensure_event(tx, ctx, e, r.received_on)?),
                    None => None,
                };
                let created = create(tx, ctx, &r)?;
                if let Some(aid) = &p.aid {
                    super::aids::import_aid(tx, ctx, &created.id, aid)?;
                }
                counts.added += 1;
                if created.person_reused {
                    counts.persons_reused += 1;
                }
                if let Some(partner_id) = &p.partner_id {
                    refer_in(
                        tx,
                        ctx,
                        &created.id,
                        &NewReferral {
                            partner_id: partner_id.clone(),
                            sent_on: r.received_on,
                            expected_by: None,
                            note: String::new(),
                        },
                        !p.explicit_status,
                    )?;
                    counts.referrals += 1;
                }
            }
            Ok(counts)
        })
    }
}
