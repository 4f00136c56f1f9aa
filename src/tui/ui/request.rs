//! The request file: the person, the request, its timeline, the person's other requests.

use super::{Theme, date_or_dash, safe, status_short};
use crate::domain::fr_date;
use crate::tui::app::{App, RequestView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

/// One line of the timeline, sortable by its timestamp.
struct Event {
    at: String,
    created: bool,
    day: String,
    who: String,
    text: String,
}

/// `para` scrolled as the view asks, never past its end; the end is remembered in the view so
/// that `↑` moves at once from there.
fn scrolled<'a>(para: Paragraph<'a>, v: &RequestView, area: Rect) -> Paragraph<'a> {
    let max = para
        .line_count(area.width)
        .saturating_sub(area.height as usize);
    v.max_scroll.set(max);
    let top = v.scroll.min(max).min(u16::MAX as usize) as u16;
    para.scroll((top, 0))
}

/// Rows of the box of the person's other requests (none when there are none).
fn others_height(d: &crate::store::RequestDetail) -> u16 {
    if d.others.is_empty() {
        0
    } else {
        3.min(d.others.len() as u16 + 2)
    }
}

pub fn render(app: &App, v: &RequestView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let d = &v.detail;
    let r = &d.request;
    let p = &d.person;
    let today = app.today();
    let wide = area.width >= 100;

    // The request and the person, side by side when there is room.
    let mut req = vec![
        Line::from(vec![
            Span::styled(safe(&r.reference), theme.title()),
            Span::raw(format!(" · {} · ", safe(&r.type_label))),
            Span::styled(r.status.label(), theme.key()),
        ]),
        Line::raw(format!(
            "Reçue le {} · {}{}",
            fr_date(r.received_on),
            r.channel_label
                .as_deref()
                .map_or_else(|| "canal non renseigné".to_string(), safe),
            r.event
                .as_deref()
                .map_or_else(String::new, |e| format!(" · {}", safe(e)))
        )),
        Line::raw(format!(
            "Agent : {}",
            r.agent
                .as_deref()
                .map_or_else(|| "non attribuée".to_string(), safe)
        )),
    ];
    // "(en retard)" beside the date only when that date is past; a partner's late answer is
    // said as such.
    let late = r.status.is_open() && r.next_follow_up_on.is_some_and(|d| d < today);
    let relance = Line::from(vec![
        Span::raw("Relance : "),
        Span::styled(
            date_or_dash(r.next_follow_up_on),
            if late {
                theme.overdue()
            } else {
                ratatui::style::Style::default()
            },
        ),
        Span::styled(if late { " (en retard)" } else { "" }, theme.overdue()),
        Span::styled(
            if r.status.is_open() && r.referral_overdue {
                " · réponse de partenaire en retard"
            } else {
                ""
            },
            theme.overdue(),
        ),
    ]);
    req.push(relance);
    if let Some(o) = r.outcome {
        req.push(Line::raw(format!(
            "Issue : {} le {}",
            o.label(),
            date_or_dash(r.closed_on)
        )));
    }
    if !r.summary.is_empty() {
        req.push(Line::raw(format!("Résumé : {}", safe(&r.summary))));
    }
    let mut person = vec![Line::styled(
        format!(
            "{} {}",
            safe(&p.last_name).to_uppercase(),
            safe(&p.first_name)
        ),
        theme.title(),
    )];
    for (label, value) in [
        ("Tél.", &p.phone),
        ("E-mail", &p.email),
        ("Profession", &p.profession),
    ] {
        if !value.is_empty() {
            person.push(Line::raw(format!("{label} : {}", safe(value))));
        }
    }
    if let Some(pr) = p.profile {
        person.push(Line::raw(format!("Profil : {}", pr.label())));
    }
    if let Some(b) = p.birth_date {
        person.push(Line::raw(format!("Né(e) le {}", fr_date(b))));
    }
    let bottom;
    if wide {
        let [top, rest] = Layout::vertical([Constraint::Length(8), Constraint::Min(3)]).areas(area);
        bottom = rest;
        let [l, rgt] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(top);
        frame.render_widget(
            Paragraph::new(req)
                .block(Block::default().borders(Borders::ALL).title(" Demande "))
                .wrap(Wrap { trim: true }),
            l,
        );
        frame.render_widget(
            Paragraph::new(person)
                .block(Block::default().borders(Borders::ALL).title(" Demandeur "))
                .wrap(Wrap { trim: true }),
            rgt,
        );
    } else {
        // One block: the request, then the person's items on as few rows as they fit, an
        // item never split between two rows; the block as tall as its rows (the journal
        // keeps at least 3 rows).
        let room = usize::from(area.width.saturating_sub(2));
        let mut lines = req;
        let mut row: Vec<Span> = Vec::new();
        for item in person {
            let used: usize = row.iter().map(|s| s.width()).sum();
            if !row.is_empty() && used + 2 + item.width() > room {
                lines.push(Line::from(std::mem::take(&mut row)));
            }
            if !row.is_empty() {
                row.push(Span::raw("  "));
            }
            row.extend(item.spans);
        }
        lines.push(Line::from(row));
        let rows: usize = lines
            .iter()
            .map(|l| super::wrap::wrap(&l.to_string(), room).len())
            .sum();
        // Below: at least 3 rows of journal, and the person's other requests.
        let below = 3 + others_height(d);
        let height = (rows as u16 + 2)
            .max(9)
            .min(area.height.saturating_sub(below))
            .max(3);
        let [top, rest] =
            Layout::vertical([Constraint::Length(height), Constraint::Min(3)]).areas(area);
        bottom = rest;
        frame.render_widget(
            Paragraph::new(lines)
                .block(Block::default().borders(Borders::ALL).title(" Demande "))
                .wrap(Wrap { trim: true }),
            top,
        );
    }

    // Timeline: follow-ups, referrals and changes, oldest first.
    let mut events: Vec<Event> = Vec::new();
    for f in &d.follow_ups {
        events.push(Event {
            at: f.created_at.clone(),
            created: false,
            day: fr_date(f.occurred_on),
            who: f.created_by.clone(),
            // The date it set, said here: the history's own line for it is not repeated.
            text: format!(
                "{} : {}{}",
                f.kind.label(),
                safe(&f.body),
                f.next_follow_up_on
                    .map(|d| format!(" — relance le {}", fr_date(d)))
                    .unwrap_or_default()
            ),
        });
    }
    for f in &d.referrals {
        let state = match (f.answered_on, f.answer) {
            (Some(on), Some(a)) => {
                format!("réponse {} le {}", a.label().to_lowercase(), fr_date(on))
            }
            _ => format!(
                "réponse attendue le {}{}",
                date_or_dash(f.expected_by),
                if f.expected_by.is_some_and(|e| e < today) {
                    " — en retard"
                } else {
                    ""
                }
            ),
        };
        events.push(Event {
            at: format!("{}~", f.sent_on),
            created: false,
            day: fr_date(f.sent_on),
            who: f.created_by.clone(),
            text: format!(
                "Orientation → {} ({state}){}{}",
                safe(&f.partner),
                referral_note(" — note : ", &f.note),
                referral_note(" — réponse : ", &f.answer_note)
            ),
        });
    }
    for h in d
        .history
        .iter()
        .filter(|h| h.entity == "request" || (h.entity == "person" && h.field != "*"))
    {
        if h.field == "next_follow_up_on"
            && h.new_value.is_some()
            && d.follow_ups
                .iter()
                .any(|f| f.next_follow_up_on.map(|n| n.to_string()) == h.new_value)
        {
            continue; // already said by the follow-up that set it
        }
        if let Some(text) = crate::history_text::history_line_labelled(
            &h.entity,
            &h.field,
            h.old_value.as_deref(),
            h.new_value.as_deref(),
            &v.labels,
        ) {
            // A placement writes its note in the journal and its change in the history: one
            // line says it.
            if d.follow_ups.iter().any(|f| safe(&f.body) == text) {
                continue;
            }
            events.push(Event {
                at: h.at.clone(),
                // The request's creation comes first in its second, before the call it was
                // taken on.
                created: h.field == "*",
                day: app.timestamp(&h.at),
                who: h.actor.clone(),
                text,
            });
        }
    }
    events.sort_by(|a, b| a.at.cmp(&b.at).then(b.created.cmp(&a.created)));

    let bottom = super::aids::render_block(v, today, theme, frame, bottom);
    let [timeline, others] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(others_height(d))]).areas(bottom);
    if let Some(accesses) = &v.accesses {
        let lines: Vec<Line> = accesses
            .iter()
            .map(|a| {
                Line::from(vec![
                    Span::styled(format!("{} ", app.timestamp(&a.at)), theme.dim()),
                    Span::styled(format!("{} ", safe(&a.actor)), theme.key()),
                    Span::raw(crate::store::AccessAction::label(&a.action).to_string()),
                ])
            })
            .collect();
        let title = format!(
            " Qui a consulté ce dossier ({}) — v : le journal ",
            accesses.len()
        );
        let para = Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title));
        frame.render_widget(scrolled(para, v, timeline), timeline);
    } else {
        let lines: Vec<Line> = events
            .iter()
            .map(|e| {
                Line::from(vec![
                    Span::styled(format!("{:<10} ", e.day), theme.dim()),
                    Span::styled(
                        format!("{} ", crate::store::initials_of(&safe(&e.who))),
                        theme.key(),
                    ),
                    Span::raw(e.text.clone()),
                ])
            })
            .collect();
        let title = format!(" Journal ({}) ", events.len());
        let para = Paragraph::new(lines)
            .block(Block::default().borders(Borders::ALL).title(title))
            .wrap(Wrap { trim: false });
        frame.render_widget(scrolled(para, v, timeline), timeline);
    }
    if !d.others.is_empty() {
        // As many as fit on the row, whole; the others are counted, never cut or dropped.
        let room = usize::from(others.width.saturating_sub(2));
        let see = crate::tui::keymap::key_of(
            crate::tui::keymap::Context::Request,
            crate::tui::keymap::Action::OtherRequests,
        );
        let items: Vec<(String, String)> = d
            .others
            .iter()
            .map(|o| {
                (
                    safe(&o.reference),
                    format!(" {} ({})", safe(&o.type_label), status_short(o.status)),
                )
            })
            .collect();
        let width = |(r, t): &(String, String)| r.width() + t.width();
        let mut shown = 0;
        let mut used = 0;
        for (i, item) in items.iter().enumerate() {
            let left = items.len() - i - 1;
            let more = if left > 0 {
                format!("   +{left} (voir {see})").width()
            } else {
                0
            };
            let w = width(item) + if shown > 0 { 3 } else { 0 };
            if used + w + more > room && shown > 0 {
                break;
            }
            used += w;
            shown += 1;
        }
        let mut text: Vec<Span> = Vec::new();
        for (r, t) in items.iter().take(shown) {
            if !text.is_empty() {
                text.push(Span::raw("   "));
            }
            text.push(Span::styled(r.clone(), theme.key()));
            text.push(Span::raw(t.clone()));
        }
        if shown < items.len() {
            text.push(Span::styled(
                format!("   +{} (voir {see})", items.len() - shown),
                theme.dim(),
            ));
        }
        frame.render_widget(
            Paragraph::new(Line::from(text)).block(Block::default().borders(Borders::ALL).title(
                format!(" Autres demandes de la personne ({}) ", items.len()),
            )),
            others,
        );
    }
}

/// A referral's sent or answer note on the timeline, when there is one.
fn referral_note(label: &str, note: &str) -> String {
    if note.is_empty() {
        String::new()
    } else {
        format!("{label}{}", safe(note))
    }
}
