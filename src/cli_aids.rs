//! Command line of aids and commitments: `aid`, `commitment`, `budget`, `dispositif`, the `list`
//! filters on aids, and `report aids` (its figures are in `crate::report_aids`). A thin layer over
//! the storage API, like `cli.rs`.

use crate::aids::{CommitmentState, PaymentPattern, RepaymentRule, fr_euros, parse_euros};
use crate::cli::flagged;
use crate::domain::{fr_date, parse_date};
use crate::error::{Error, Result};
use crate::output::{Format, Table};
use crate::store::{AidDetail, AidFilter, NewAid, SchemeDef, Store};
use crate::text::display_safe;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use std::io::Write;

/// The top-level commands of aids (flattened into `guichet`'s commands).
#[derive(Debug, Subcommand)]
pub enum AidsCommand {
    /// Aides accordées : accorder, verser, afficher
    Aid {
        #[command(subcommand)]
        action: AidAction,
    },
    /// Engagement d'exercer : début, attestation annuelle, rupture, remboursement
    Commitment {
        #[command(subcommand)]
        action: CommitmentAction,
    },
    /// Budgets votés par dispositif et par année
    Budget {
        #[command(subcommand)]
        action: BudgetAction,
    },
    /// Dispositifs d'aide (liste configurable : montants, engagement, versements)
    Dispositif {
        #[command(subcommand)]
        action: SchemeAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum AidAction {
    /// Accorde une aide sur une demande (décision de la commission ou vote)
    Grant {
        reference: String,
        /// Le dispositif : code ou libellé (voir « guichet dispositif list »)
        #[arg(long)]
        dispositif: String,
        /// Montant en euros entiers (sans la bonification)
        #[arg(long, allow_hyphen_values = true)]
        montant: String,
        /// Date de la décision
        #[arg(long)]
        date: String,
        /// Bonification (maître de stage), en euros
        #[arg(long, allow_hyphen_values = true)]
        bonification: Option<String>,
        /// Nombre de versements (par défaut selon le dispositif)
        #[arg(long)]
        versements: Option<u32>,
    },
    /// Enregistre un versement (le total versé ne dépasse jamais l'aide accordée)
    Pay {
        reference: String,
        /// Montant versé en euros entiers
        #[arg(long, allow_hyphen_values = true)]
        montant: String,
        /// Date du versement (JJ/MM/AAAA)
        #[arg(long)]
        date: String,
    },
    /// L'aide d'une demande : versements, échéancier, engagement, attestations
    Show {
        reference: String,
        /// Format de sortie
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum CommitmentAction {
    /// Début de l'engagement (fin des études ou date d'installation)
    Start {
        reference: String,
        /// Premier jour de l'engagement (JJ/MM/AAAA)
        #[arg(long)]
        date: String,
        /// Commune d'exercice
        #[arg(long)]
        commune: Option<String>,
        /// Durée en années (par défaut celle du dispositif)
        #[arg(long)]
        annees: Option<u32>,
    },
    /// Attestation annuelle d'exercice reçue
    Attest {
        reference: String,
        /// Date de l'attestation reçue (JJ/MM/AAAA)
        #[arg(long)]
        date: String,
    },
    /// Rupture de l'engagement ; le remboursement est calculé selon le dispositif sauf s'il est donné
    Break {
        reference: String,
        /// Date de la rupture (JJ/MM/AAAA)
        #[arg(long)]
        date: String,
        /// Montant demandé en euros (sinon calculé selon le dispositif)
        #[arg(long, allow_hyphen_values = true)]
        remboursement: Option<String>,
    },
    /// Remboursement reçu après une rupture
    Repay {
        reference: String,
        /// Montant remboursé en euros entiers
        #[arg(long, allow_hyphen_values = true)]
        montant: String,
        /// Date du remboursement (JJ/MM/AAAA)
        #[arg(long)]
        date: String,
    },
    /// Engagements à vérifier : attestations attendues (en retard d'abord)
    Due {
        /// Attestations attendues dans les N prochains jours aussi
        #[arg(long, default_value_t = 30)]
        jours: u64,
        /// Format de sortie
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum BudgetAction {
    /// Fixe le budget voté pour un dispositif et une année
    Set {
        /// Le dispositif : code ou libellé
        #[arg(long)]
        dispositif: String,
        /// L'année du budget (2027)
        #[arg(long)]
        annee: i32,
        /// Montant voté en euros entiers
        #[arg(long, allow_hyphen_values = true)]
        montant: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SchemeAction {
    /// Les dispositifs et leurs règles
    List {
        /// Format de sortie
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Ajoute un dispositif ou modifie ses règles (les options absentes restent inchangées)
    Set {
        code: String,
        /// Libellé montré aux agents
        #[arg(long)]
        libelle: Option<String>,
        /// Type de demande concerné
        #[arg(long = "type")]
        type_: Option<String>,
        /// Durée de l'engagement en années (0 : aucun)
        #[arg(long)]
        annees: Option<u32>,
        /// Montant minimal d'une aide (euros)
        #[arg(long, allow_hyphen_values = true)]
        min: Option<String>,
        /// Montant maximal d'une aide (euros)
        #[arg(long, allow_hyphen_values = true)]
        max: Option<String>,
        /// Bonification maximale (euros, 0 : aucune)
        #[arg(long, allow_hyphen_values = true)]
        bonification: Option<String>,
        /// unique, annuel ou mensuel
        #[arg(long)]
        versement: Option<String>,
        /// Montant habituel d'un versement (euros, 0 : l'aide divisée également)
        #[arg(long, allow_hyphen_values = true)]
        echeance: Option<String>,
        /// prorata, total ou aucun
        #[arg(long)]
        remboursement: Option<String>,
    },
    Disable {
        code: String,
    },
    Enable {
        code: String,
    },
}

/// The `list` filters on aids (flattened into `list`'s options).
#[derive(Debug, Args, Default)]
pub struct AidListArgs {
    /// Demandes ayant une aide de ce dispositif
    #[arg(long)]
    dispositif: Option<String>,
    /// Engagement en_cours, rompu ou honore (aujourd'hui)
    #[arg(long)]
    engagement: Option<String>,
    /// Attestation annuelle attendue ou en retard
    #[arg(long = "attestation-due")]
    attestation_due: bool,
}

/// The requests the aid filters keep (`None`: no aid filter given).
pub fn request_ids(store: &Store, args: &AidListArgs) -> Result<Option<Vec<String>>> {
    let filter = AidFilter {
        scheme: args
            .dispositif
            .as_deref()
            .map(|d| flagged("dispositif", store.resolve_scheme(d)).map(|s| s.code))
            .transpose()?,
        commitment: args
            .engagement
            .as_deref()
            .map(|e| flagged("engagement", CommitmentState::parse(e)))
            .transpose()?,
        attestation_due: args.attestation_due,
    };
    if filter.is_empty() {
        return Ok(None);
    }
    store
        .requests_matching_aids(&filter, store.today())
        .map(Some)
}

fn date(store: &Store, flag: &str, value: &str) -> Result<NaiveDate> {
    flagged(flag, parse_date(value, store.today()))
}

fn euros(flag: &str, value: &str) -> Result<i64> {
    flagged(flag, parse_euros(value))
}

fn opt_euros(flag: &str, value: Option<&str>) -> Result<Option<i64>> {
    value.map(|v| euros(flag, v)).transpose()
}

pub fn run(store: &mut Store, command: &AidsCommand, out: &mut dyn Write) -> Result<()> {
    match command {
        AidsCommand::Aid { action } => aid(store, action, out),
        AidsCommand::Commitment { action } => commitment(store, action, out),
        AidsCommand::Budget {
            action:
                BudgetAction::Set {
                    dispositif,
                    annee,
                    montant,
                },
        } => {
            let amount = euros("montant", montant)?;
            let scheme = flagged("dispositif", store.resolve_scheme(dispositif))?;
            store.set_budget(&scheme.code, *annee, amount)?;
            writeln!(
                out,
                "Budget {annee} de {} : {}",
                scheme.label,
                fr_euros(amount)
            )?;
            Ok(())
        }
        AidsCommand::Dispositif { action } => schemes(store, action, out),
    }
}

fn aid(store: &mut Store, action: &AidAction, out: &mut dyn Write) -> Result<()> {
    match action {
        AidAction::Grant {
            reference,
            dispositif,
            montant,
            date: on,
            bonification,
            versements,
        } => {
            let id = store.request_id(reference)?;
            let new = NewAid {
                scheme: dispositif.clone(),
                amount: euros("montant", montant)?,
                bonus: opt_euros("bonification", bonification.as_deref())?.unwrap_or(0),
                decided_on: date(store, "date", on)?,
                installments: *versements,
            };
            store.grant_aid(&id, &new)?;
            let a = store.aid(&id)?.expect("just granted");
            writeln!(
                out,
                "Aide accordée sur {} : {}, {} ({} versement(s)).",
                a.reference,
                a.scheme.label,
                fr_euros(a.granted()),
                a.installments
            )?;
            if let Some(w) = store.budget_warning(&a.scheme.code, a.decided_on)? {
                writeln!(out, "{w}")?;
            }
        }
        AidAction::Pay {
            reference,
            montant,
            date: on,
        } => {
            let id = store.request_id(reference)?;
            let amount = euros("montant", montant)?;
            let on = date(store, "date", on)?;
            store.pay_aid(&id, amount, on)?;
            let a = store.aid(&id)?.expect("paid");
            writeln!(
                out,
                "Versement de {} enregistré sur {} : {} versés sur {}.",
                fr_euros(amount),
                a.reference,
                fr_euros(a.paid()),
                fr_euros(a.granted())
            )?;
        }
        AidAction::Show { reference, format } => {
            let id = store.request_id(reference)?;
            let Some(a) = store.aid(&id)? else {
                return Err(Error::input(format!(
                    "la demande {} n'a pas d'aide accordée",
                    reference.trim().to_uppercase()
                )));
            };
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &aid_json(&a, store.today()))?;
                    writeln!(out)?;
                }
                _ => {
                    for line in crate::aid_text::aid_lines(&a, store.today()) {
                        writeln!(out, "{}", display_safe(&line))?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// The aid as JSON: the stored facts plus where it stands today.
fn aid_json(a: &AidDetail, today: NaiveDate) -> serde_json::Value {
    let mut v = serde_json::to_value(a).unwrap_or_default();
    v["granted"] = a.granted().into();
    v["paid"] = a.paid().into();
    if let Some(c) = &a.commitment {
        let f = c.facts();
        v["commitment"]["state"] = serde_json::to_value(f.state_on(today)).unwrap_or_default();
        v["commitment"]["next_attestation_on"] =
            serde_json::to_value(f.next_due_on(today)).unwrap_or_default();
        v["commitment"]["attestation_overdue"] = f.attestation_overdue(today).into();
        v["commitment"]["repaid"] = c.repaid().into();
    }
    v
}

fn commitment(store: &mut Store, action: &CommitmentAction, out: &mut dyn Write) -> Result<()> {
    match action {
        CommitmentAction::Start {
            reference,
            date: on,
            commune,
            annees,
        } => {
            let id = store.request_id(reference)?;
            let on = date(store, "date", on)?;
            store.start_commitment(&id, on, commune.as_deref().unwrap_or(""), *annees)?;
            let c = store
                .aid(&id)?
                .and_then(|a| a.commitment)
                .expect("just started");
            writeln!(
                out,
                "Engagement de {} ans du {} au {}.",
                c.years,
                fr_date(c.started_on),
                fr_date(c.ends_on)
            )?;
        }
        CommitmentAction::Attest {
            reference,
            date: on,
        } => {
            let id = store.request_id(reference)?;
            let on = date(store, "date", on)?;
            store.attest_commitment(&id, on)?;
            let c = store
                .aid(&id)?
                .and_then(|a| a.commitment)
                .expect("attested");
            let next = c
                .facts()
                .next_due_on(store.today())
                .map_or("aucune".to_string(), fr_date);
            writeln!(
                out,
                "Attestation enregistrée ({} sur {}) ; prochaine attendue : {next}.",
                c.attestations.len(),
                c.years
            )?;
        }
        CommitmentAction::Break {
            reference,
            date: on,
            remboursement,
        } => {
            let id = store.request_id(reference)?;
            let on = date(store, "date", on)?;
            let asked = opt_euros("remboursement", remboursement.as_deref())?;
            let amount = store.break_commitment(&id, on, asked, None)?;
            writeln!(
                out,
                "Rupture enregistrée au {} ; remboursement demandé : {}.",
                fr_date(on),
                fr_euros(amount)
            )?;
        }
        CommitmentAction::Repay {
            reference,
            montant,
            date: on,
        } => {
            let id = store.request_id(reference)?;
            let amount = euros("montant", montant)?;
            let on = date(store, "date", on)?;
            store.record_repayment(&id, amount, on)?;
            let c = store.aid(&id)?.and_then(|a| a.commitment).expect("repaid");
            writeln!(
                out,
                "Remboursement de {} enregistré ; reste à rembourser : {}.",
                fr_euros(amount),
                fr_euros(c.repayment.unwrap_or(0) - c.repaid())
            )?;
        }
        CommitmentAction::Due { jours, format } => {
            let due = store.commitments_to_check(store.today(), *jours)?;
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &due)?;
                    writeln!(out)?;
                }
                _ => {
                    let mut t = Table::new(vec![
                        "Référence",
                        "Nom",
                        "Prénom",
                        "Dispositif",
                        "Commune",
                        "Attestation due le",
                        "En retard",
                    ]);
                    for d in &due {
                        t.push(vec![
                            d.reference.clone(),
                            d.last_name.clone(),
                            d.first_name.clone(),
                            d.scheme.clone(),
                            d.commune.clone(),
                            fr_date(d.due_on),
                            if d.overdue { "oui" } else { "non" }.into(),
                        ]);
                    }
                    if *format == Format::Csv {
                        t.write_csv(&mut *out)?;
                    } else {
                        t.write_text(out)?;
                        writeln!(out, "{} engagement(s) à vérifier", due.len())?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn schemes(store: &mut Store, action: &SchemeAction, out: &mut dyn Write) -> Result<()> {
    match action {
        SchemeAction::List { format } => {
            let all = store.schemes()?;
            if *format == Format::Json {
                serde_json::to_writer_pretty(&mut *out, &all)?;
                writeln!(out)?;
                return Ok(());
            }
            let mut t = Table::new(vec![
                "Code",
                "Libellé",
                "Type",
                "Engagement (ans)",
                "Min (€)",
                "Max (€)",
                "Bonification (€)",
                "Versement",
                "Échéance (€)",
                "Remboursement",
                "Actif",
            ]);
            for s in &all {
                t.push(vec![
                    s.code.clone(),
                    s.label.clone(),
                    s.type_code.clone(),
                    s.commitment_years.to_string(),
                    s.min_amount.to_string(),
                    s.max_amount.to_string(),
                    s.bonus.to_string(),
                    s.payment_pattern.code().into(),
                    s.installment.to_string(),
                    s.repayment_rule.code().into(),
                    if s.active { "oui" } else { "non" }.into(),
                ]);
            }
            if *format == Format::Csv {
                t.write_csv(&mut *out)?;
            } else {
                t.write_text(out)?;
            }
        }
        SchemeAction::Set {
            code,
            libelle,
            type_,
            annees,
            min,
            max,
            bonification,
            versement,
            echeance,
            remboursement,
        } => {
            let existing = store.resolve_scheme(code).ok();
            let need = |flag: &str| {
                Error::input(format!(
                    "--{flag} : obligatoire pour un nouveau dispositif (« {code} »)"
                ))
            };
            let def = SchemeDef {
                code: existing.as_ref().map_or(code.clone(), |s| s.code.clone()),
                label: match (libelle, &existing) {
                    (Some(l), _) => l.clone(),
                    (None, Some(s)) => s.label.clone(),
                    (None, None) => return Err(need("libelle")),
                },
                type_code: match (type_, &existing) {
                    (Some(t), _) => t.clone(),
                    (None, Some(s)) => s.type_code.clone(),
                    (None, None) => return Err(need("type")),
                },
                commitment_years: annees
                    .or(existing.as_ref().map(|s| s.commitment_years))
                    .unwrap_or(0),
                min_amount: opt_euros("min", min.as_deref())?
                    .or(existing.as_ref().map(|s| s.min_amount))
                    .unwrap_or(0),
                max_amount: match (opt_euros("max", max.as_deref())?, &existing) {
                    (Some(m), _) => m,
                    (None, Some(s)) => s.max_amount,
                    (None, None) => return Err(need("max")),
                },
                bonus: opt_euros("bonification", bonification.as_deref())?
                    .or(existing.as_ref().map(|s| s.bonus))
                    .unwrap_or(0),
                payment_pattern: versement
                    .as_deref()
                    .map(|v| flagged("versement", PaymentPattern::parse(v)))
                    .transpose()?
                    .or(existing.as_ref().map(|s| s.payment_pattern))
                    .unwrap_or(PaymentPattern::Unique),
                installment: opt_euros("echeance", echeance.as_deref())?
                    .or(existing.as_ref().map(|s| s.installment))
                    .unwrap_or(0),
                repayment_rule: remboursement
                    .as_deref()
                    .map(|v| flagged("remboursement", RepaymentRule::parse(v)))
                    .transpose()?
                    .or(existing.as_ref().map(|s| s.repayment_rule))
                    .unwrap_or(RepaymentRule::Prorata),
            };
            let code = flagged("type", store.upsert_scheme(&def))?;
            writeln!(out, "Dispositif enregistré : {code}")?;
        }
        SchemeAction::Disable { code } => {
            store.set_scheme_active(code, false)?;
            writeln!(out, "Dispositif désactivé : {}", code.trim())?;
        }
        SchemeAction::Enable { code } => {
            store.set_scheme_active(code, true)?;
            writeln!(out, "Dispositif réactivé : {}", code.trim())?;
        }
    }
    Ok(())
}
