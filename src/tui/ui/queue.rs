//! The queues (home screen) and the search results: one table of requests.

use super::{Theme, date_or_dash, safe, status_short, status_tiny};
use crate::domain::fr_date;
use crate::store::RequestRow;
use crate::tui::app::{App, SearchView, Tab};
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

/// A queue's tab label in the fewest columns, for a narrow screen.
fn tiny_label(tab: Tab) -> &'static str {
    match tab {
        Tab::Mine => "Moi",
        Tab::Unassigned => "N.att.",
        Tab::Due => "Rel.",
        Tab::All => "Tout",
        other => other.label(true),
    }
}

/// The tabs: the queues with their counts, then the review. Full labels when they fit on the
/// line, then short ones, then abbreviations; when even those do not fit, the tabs around the
/// current one, with "‹"/"›" where others are hidden. A label is never cut.
pub fn tabs_line(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, review: bool) {
    use unicode_width::UnicodeWidthStr;
    let width = usize::from(area.width);
    let labels = |level: usize| -> Vec<String> {
        let mut v: Vec<String> = Tab::ALL
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let label = match level {
                    0 => t.label(false),
                    1 => t.label(true),
                    _ => tiny_label(*t),
                };
                format!("{label} {}", app.queue.counts[i])
            })
            .collect();
        v.push("Bilan".into());
        v
    };
    let active = if review {
        Tab::ALL.len()
    } else {
        Tab::ALL
            .iter()
            .position(|t| *t == app.queue.tab)
            .unwrap_or(0)
    };
    let line_width = |items: &[String], sep: &str| {
        items.iter().map(|s| s.width()).sum::<usize>() + sep.width() * (items.len() - 1)
    };
    let (items, sep, range) = [(0, " │ "), (1, " "), (2, " ")]
        .into_iter()
        .map(|(level, sep)| (labels(level), sep))
        .find(|(items, sep)| line_width(items, sep) <= width)
        .map(|(items, sep)| {
            let n = items.len();
            (items, sep, 0..n)
        })
        .unwrap_or_else(|| {
            // The first window (from the left) that holds the current tab.
            let items = labels(2);
            let n = items.len();
            let fits = |r: &std::ops::Range<usize>| {
                line_width(&items[r.clone()], " ")
                    + if r.start > 0 { 2 } else { 0 }
                    + if r.end < n { 2 } else { 0 }
                    <= width
            };
            let range = (0..=active)
                .find_map(|start| {
                    let end = (active + 1..=n).rev().find(|&end| fits(&(start..end)))?;
                    Some(start..end)
                })
                .unwrap_or(active..active + 1);
            (items, " ", range)
        });
    let mut spans = Vec::new();
    if range.start > 0 {
        spans.push(Span::styled("‹ ", theme.dim()));
    }
    for i in range.clone() {
        if i > range.start {
            spans.push(Span::styled(sep, theme.dim()));
        }
        spans.push(Span::styled(items[i].clone(), theme.tab(i == active)));
    }
    if range.end < items.len() {
        spans.push(Span::styled(" ›", theme.dim()));
    }
    if !review && app.queue.tab == Tab::All && !app.queue.all_filter_label.is_empty() {
        let used: usize = spans.iter().map(|s| s.content.width()).sum();
        let room = width.saturating_sub(used + 2);
        if room >= 4 {
            spans.push(Span::styled(
                format!(
                    "  [{}]",
                    crate::output::truncate(&safe(&app.queue.all_filter_label), room - 2)
                ),
                theme.key(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let [tabs, table] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let narrow = area.width < 100;
    tabs_line(app, theme, frame, tabs, false);

    let q = &app.queue;
    let rows: Vec<&RequestRow> = (q.scroll..q.scroll + app.viewport())
        .filter_map(|i| q.row(i))
        .collect();
    if rows.is_empty() {
        let filtered;
        let text = match q.tab {
            Tab::Mine => {
                "Aucune demande ouverte ne vous est attribuée. Tab : autres files · n : nouvelle demande"
            }
            Tab::Due => "Aucune relance n'est due aujourd'hui.",
            Tab::Today => {
                "Aucune de vos relances n'est due aujourd'hui. Tab : votre file et les autres"
            }
            Tab::Commitments => "Aucune attestation d'exercice attendue dans les 30 jours.",
            Tab::All if !app.queue.all_filter_label.is_empty() => {
                filtered = format!(
                    "Aucune demande ne correspond au filtre [{}] — F pour le changer.",
                    safe(&app.queue.all_filter_label)
                );
                &filtered
            }
            _ => "Aucune demande dans cette file.",
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, theme.dim())).wrap(Wrap { trim: true }),
            table,
        );
        return;
    }
    let selected = q.selected.checked_sub(q.scroll);
    let attestations = (q.tab == Tab::Commitments).then_some(&q.attestations);
    draw_table(
        app.today(),
        theme,
        frame,
        table,
        &rows,
        selected,
        Columns {
            narrow,
            attestations,
        },
    );
}

/// A column of the table of requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Flag,
    Reference,
    Received,
    Type,
    Person,
    Status,
    Agent,
    FollowUp,
}

/// The person's column is never narrower than this while other columns can give way.
const PERSON_MIN: usize = 12;

/// The columns below 100 columns, with their widths (the person's is 0: it takes the rest).
/// When the name would get fewer than [`PERSON_MIN`] columns, the lower-value columns give
/// way, in this order: the reception date, the agent, a shorter status, a narrower type, the
/// reference. The name, the type, the status and the follow-up date stay.
fn narrow_columns(width: usize) -> Vec<(Col, usize)> {
    use Col::*;
    let mut cols = vec![
        (Flag, 1),
        (Reference, 9),
        (Received, 10),
        (Type, 11),
        (Person, 0),
        (Status, 14),
        (Agent, 3),
        (FollowUp, 10),
    ];
    // Each step: a column and its new width (0: it goes).
    let steps = [
        (Received, 0),
        (Agent, 0),
        (Status, 10),
        (Type, 8),
        (Reference, 0),
    ];
    let person = |cols: &[(Col, usize)]| {
        width.saturating_sub(cols.iter().map(|c| c.1).sum::<usize>() + cols.len() - 1)
    };
    for (col, w) in steps {
        if person(&cols) >= PERSON_MIN {
            break;
        }
        if w == 0 {
            cols.retain(|c| c.0 != col);
        } else if let Some(c) = cols.iter_mut().find(|c| c.0 == col) {
            c.1 = w;
        }
    }
    let rest = person(&cols);
    cols.into_iter()
        .map(|(c, w)| (c, if c == Person { rest } else { w }))
        .collect()
}

/// How the table of requests lays its columns out.
struct Columns<'a> {
    /// Below 100 columns: fewer, narrower columns.
    narrow: bool,
    /// The *Engagements* tab: the last column is the next attestation due (`!` when late).
    attestations: Option<&'a std::collections::HashMap<String, NaiveDate>>,
}

fn draw_table(
    today: NaiveDate,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    rows: &[&RequestRow],
    selected: Option<usize>,
    columns: Columns<'_>,
) {
    let Columns {
        narrow,
        attestations,
    } = columns;
    let cols: Vec<(Col, usize)> = if narrow {
        narrow_columns(usize::from(area.width))
    } else {
        // Type and agent as wide as the rows on screen need, the person gets the rest.
        use unicode_width::UnicodeWidthStr;
        let fixed = 1 + 9 + 10 + 15 + 10 + 7;
        let room = usize::from(area.width).saturating_sub(fixed + 16);
        let type_w = rows
            .iter()
            .map(|r| safe(&r.type_label).width())
            .max()
            .unwrap_or(4)
            .clamp(4, 24);
        let agent_w = rows
            .iter()
            .map(|r| r.agent.as_deref().map_or(1, |a| safe(a).width()))
            .max()
            .unwrap_or(5)
            .clamp(5, 24);
        let (type_w, agent_w) = if type_w + agent_w <= room {
            (type_w, agent_w)
        } else {
            let t = type_w.min(room / 2);
            (t, agent_w.min(room.saturating_sub(t)))
        };
        // The person's column takes what the others leave (7 spaces between 8 columns).
        let person =
            usize::from(area.width).saturating_sub(1 + 9 + 10 + type_w + 15 + agent_w + 10 + 7);
        vec![
            (Col::Flag, 1),
            (Col::Reference, 9),
            (Col::Received, 10),
            (Col::Type, type_w),
            (Col::Person, person),
            (Col::Status, 15),
            (Col::Agent, agent_w),
            (Col::FollowUp, 10),
        ]
    };
    let header = Row::new(cols.iter().map(|(c, w)| match c {
        Col::Flag => "!",
        Col::Reference => "Référence",
        Col::Received => "Reçue le",
        Col::Type => "Type",
        Col::Person => "Personne",
        Col::Status => "Statut",
        Col::Agent if narrow || *w < 5 => "Ag.",
        Col::Agent => "Agent",
        Col::FollowUp if attestations.is_some() => "Attest.",
        Col::FollowUp => "Relance",
    }))
    .style(theme.title());
    let widths: Vec<Constraint> = cols
        .iter()
        .map(|(c, w)| match c {
            Col::Person if narrow => Constraint::Min(*w as u16),
            Col::Person => Constraint::Min(16),
            _ => Constraint::Length(*w as u16),
        })
        .collect();
    // A value longer than its column ends with "…".
    let cut = |s: String, w: usize| crate::output::truncate(&s, w).into_owned();
    let body = rows.iter().enumerate().map(|(i, r)| {
        let due = attestations.and_then(|a| a.get(&r.id).copied());
        let overdue = r.is_overdue(today) || due.is_some_and(|d| d < today);
        let style = if Some(i) == selected {
            theme.selected()
        } else if overdue {
            theme.overdue()
        } else {
            Style::default()
        };
        let cells = cols.iter().map(|&(c, w)| match c {
            Col::Flag => Cell::from(if overdue { "!" } else { " " }),
            Col::Reference => Cell::from(safe(&r.reference)),
            Col::Received => Cell::from(fr_date(r.received_on)),
            Col::Type => Cell::from(cut(safe(&r.type_label), w)),
            Col::Person => Cell::from(cut(
                format!(
                    "{} {}",
                    safe(&r.last_name).to_uppercase(),
                    safe(&r.first_name)
                ),
                w,
            )),
            Col::Status if w < 14 => Cell::from(cut(status_tiny(r.status).to_string(), w)),
            Col::Status => Cell::from(cut(status_short(r.status).to_string(), w)),
            Col::Agent => Cell::from(cut(
                r.agent.as_deref().map_or_else(
                    || "—".to_string(),
                    |a| {
                        if narrow {
                            crate::store::initials_of(&safe(a))
                        } else {
                            safe(a)
                        }
                    },
                ),
                w,
            )),
            Col::FollowUp if attestations.is_some() => Cell::from(date_or_dash(due)),
            Col::FollowUp => Cell::from(date_or_dash(r.next_follow_up_on)),
        });
        Row::new(cells.collect::<Vec<_>>()).style(style)
    });
    frame.render_widget(
        Table::new(body, widths).header(header).column_spacing(1),
        area,
    );
}

pub fn render_search(app: &App, s: &SearchView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let [input, info, table] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Rechercher : ", theme.title()),
            Span::raw(super::forms::single_line(
                s.input.text(),
                Some(s.input.cursor()),
                usize::from(input.width).saturating_sub(13),
            )),
        ])),
        input,
    );
    let note = if s.input.text().trim().is_empty() {
        "Nom, prénom, e-mail, téléphone, référence, résumé ou texte d'un suivi.".to_string()
    } else if s.results.is_empty() {
        "Aucune demande ne correspond.".to_string()
    } else if s.results.len() == 50 {
        "Les 50 demandes les plus récentes qui correspondent.".to_string()
    } else {
        format!("{} demande(s).", s.results.len())
    };
    frame.render_widget(Paragraph::new(Line::styled(note, theme.dim())), info);
    let visible = usize::from(table.height.saturating_sub(1));
    let scroll = s.selected.saturating_sub(visible.saturating_sub(1));
    let rows: Vec<&RequestRow> = s.results.iter().skip(scroll).take(visible).collect();
    if !rows.is_empty() {
        draw_table(
            app.today(),
            theme,
            frame,
            table,
            &rows,
            s.selected.checked_sub(scroll),
            Columns {
                narrow: area.width < 100,
                attestations: None,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_columns_give_way_before_the_name_goes_under_12() {
        let kinds = |w: usize| narrow_columns(w).iter().map(|c| c.0).collect::<Vec<_>>();
        let person = |w: usize| {
            narrow_columns(w)
                .iter()
                .find(|c| c.0 == Col::Person)
                .unwrap()
                .1
        };
        // At 80 columns every column stays (the 80×24 screens are unchanged).
        assert_eq!(kinds(80).len(), 8);
        // At 60, the reception date and the agent gave way.
        assert!(!kinds(60).contains(&Col::Received) && !kinds(60).contains(&Col::Agent));
        for w in 55..100 {
            let cols = narrow_columns(w);
            assert!(person(w) >= PERSON_MIN, "{w}: {cols:?}");
            assert_eq!(
                cols.iter().map(|c| c.1).sum::<usize>() + cols.len() - 1,
                w,
                "{w}: the columns fill the line"
            );
            for kept in [Col::Person, Col::Type, Col::Status, Col::FollowUp] {
                assert!(cols.iter().any(|c| c.0 == kept), "{w}: {kept:?}");
            }
        }
        // Narrower still: nothing panics, the name keeps what is left.
        for w in 0..55 {
            narrow_columns(w);
        }
    }
}
