//! The *Logements* screen: free places for a semester, nearest first around a commune.

use super::{Theme, safe};
use crate::tui::screens::housing::{HousingPurpose, HousingView, period_label};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

pub fn render(v: &HousingView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let [head, body] = Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(area);
    let purpose = match &v.purpose {
        HousingPurpose::Browse => String::new(),
        HousingPurpose::Place { reference, .. } => format!("Loger {} · ", safe(reference)),
        HousingPurpose::Interest { reference, .. } => {
            format!("Intérêt du visiteur {} · ", safe(reference))
        }
    };
    let where_ = match &v.commune {
        Some(c) => format!("{} et {} km autour", safe(c), v.radius_km),
        None => "tout le registre".into(),
    };
    let profile = v
        .profile
        .map_or(String::new(), |p| format!(" · profil {}", p.label()));
    let lines = vec![
        Line::from(vec![
            Span::styled("Logements libres", theme.title()),
            Span::raw(format!(" · {purpose}{where_}")),
        ]),
        Line::raw(format!("{}{profile}", period_label(&v.period))),
        Line::styled(
            format!(
                "{} logement(s) avec un lit libre chaque nuit de la période",
                v.results.len()
            ),
            theme.dim(),
        ),
    ];
    frame.render_widget(Paragraph::new(lines), head);
    let block = Block::default().borders(Borders::TOP);
    if v.results.is_empty() {
        frame.render_widget(
            Paragraph::new("Aucun logement libre pour toute la période. ← → : un autre semestre ; p : une autre commune ; + : un rayon plus grand.")
                .wrap(ratatui::widgets::Wrap { trim: true })
                .block(block),
            body,
        );
        return;
    }
    let near = v.commune.is_some();
    let mut header = vec!["Code", "Nom", "Commune", "Libres", "Loyer"];
    if near {
        header.push("km");
    }
    let rows: Vec<Row> = v
        .results
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut cells = vec![
                Cell::from(safe(&p.code)),
                Cell::from(safe(&p.name)),
                Cell::from(safe(&p.commune)),
                Cell::from(format!("{}/{}", p.free_beds, p.beds)),
                Cell::from(if p.rent == 0 {
                    "gratuit".to_string()
                } else {
                    format!("{} €", p.rent)
                }),
            ];
            if let Some(d) = p.distance_km {
                cells.push(Cell::from(format!("{d:.1}").replace('.', ",")));
            }
            let row = Row::new(cells);
            if i == v.selected {
                row.style(theme.selected())
            } else {
                row
            }
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(8),
        Constraint::Min(16),
        Constraint::Length(22),
        Constraint::Length(6),
        Constraint::Length(8),
    ];
    if near {
        widths.push(Constraint::Length(5));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title()))
        .block(block);
    // Keep the selected row in view.
    let visible = usize::from(body.height.saturating_sub(2)).max(1);
    let skip = v.selected.saturating_sub(visible - 1);
    let mut state = ratatui::widgets::TableState::default()
        .with_offset(skip)
        .with_selected(None);
    frame.render_stateful_widget(table, body, &mut state);
}
