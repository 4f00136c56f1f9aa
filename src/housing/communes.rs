//! The communes of the Loiret with their coordinates, shipped in the binary
//! (`data/communes_loiret.csv`), and the great-circle distance between two points.

use crate::error::{Error, Result};
use crate::text::fold;
use std::sync::OnceLock;

const DATA: &str = include_str!("../../data/communes_loiret.csv");

#[derive(Debug, Clone, PartialEq)]
pub struct Commune {
    pub name: &'static str,
    pub latitude: f64,
    pub longitude: f64,
    /// Folded name and other spellings ("malesherbes"), for matching what an agent types.
    keys: Vec<String>,
}

/// Every shipped commune, in the file's order.
pub fn all() -> &'static [Commune] {
    static LIST: OnceLock<Vec<Commune>> = OnceLock::new();
    LIST.get_or_init(|| {
        DATA.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split(';');
                let name = f.next()?.trim();
                let latitude = f.next()?.trim().parse().ok()?;
                let longitude = f.next()?.trim().parse().ok()?;
                let mut keys = vec![fold(name)];
                keys.extend(
                    f.next()
                        .unwrap_or_default()
                        .split('|')
                        .filter(|a| !a.trim().is_empty())
                        .map(fold),
                );
                Some(Commune {
                    name,
                    latitude,
                    longitude,
                    keys,
                })
            })
            .collect()
    })
}

/// The shipped commune an agent means ("st jean de braye", "ORLEANS", "Malesherbes"), if any.
pub fn find(input: &str) -> Option<&'static Commune> {
    let key = fold(&expand_saint(input));
    all().iter().find(|c| c.keys.contains(&key))
}

/// Like [`find`], or an input error naming the closest known spellings.
pub fn resolve(input: &str) -> Result<&'static Commune> {
    find(input).ok_or_else(|| {
        let near = closest(input, 3);
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" ; vouliez-vous dire : {} ?", near.join(", "))
        };
        Error::input(format!(
            "commune inconnue de la liste du Loiret : « {input} »{hint}"
        ))
    })
}

/// "St-Jean" and "Ste-Geneviève" as they are written in full.
fn expand_saint(input: &str) -> String {
    let folded = fold(input);
    let words: Vec<&str> = folded.split(' ').collect();
    words
        .iter()
        .map(|w| match *w {
            "st" => "saint",
            "ste" => "sainte",
            w => w,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Up to `n` shipped names closest to `input` (edit distance on folded text).
pub fn closest(input: &str, n: usize) -> Vec<&'static str> {
    let key = fold(input);
    let mut scored: Vec<(usize, &'static str)> = all()
        .iter()
        .map(|c| (edit_distance(&key, &c.keys[0]), c.name))
        .filter(|(d, _)| *d <= (key.chars().count() / 3).max(2))
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, name)| name).collect()
}

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Great-circle distance in kilometres (haversine, mean Earth radius 6,371 km).
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_shipped_list_is_read_and_lies_in_the_loiret() {
        let lines = DATA
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        assert_eq!(all().len(), lines, "a line of the list did not parse");
        for c in all() {
            assert!(
                (47.45..=48.35).contains(&c.latitude) && (1.50..=3.15).contains(&c.longitude),
                "{} lies outside the Loiret",
                c.name
            );
        }
        let mut names: Vec<&str> = all().iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all().len(), "a commune is listed twice");
    }

    #[test]
    fn every_canton_seat_is_listed() {
        for seat in [
            "Beaugency",
            "Châlette-sur-Loing",
            "Châteauneuf-sur-Loire",
            "Courtenay",
            "La Ferté-Saint-Aubin",
            "Fleury-les-Aubrais",
            "Gien",
            "Lorris",
            "Le Malesherbois",
            "Meung-sur-Loire",
            "Montargis",
            "Olivet",
            "Orléans",
            "Pithiviers",
            "Saint-Jean-de-Braye",
            "Saint-Jean-de-la-Ruelle",
            "Saint-Jean-le-Blanc",
            "Sully-sur-Loire",
        ] {
            assert!(find(seat).is_some(), "{seat} is missing");
        }
    }

    #[test]
    fn communes_are_found_however_they_are_typed() {
        assert_eq!(find("ORLEANS").map(|c| c.name), Some("Orléans"));
        assert_eq!(
            find("st jean de braye").map(|c| c.name),
            Some("Saint-Jean-de-Braye")
        );
        assert_eq!(find("Malesherbes").map(|c| c.name), Some("Le Malesherbois"));
        let e = resolve("Montargi").unwrap_err().to_string();
        assert!(e.contains("Montargis"), "{e}");
    }

    #[test]
    fn distances_match_the_map() {
        let (o, m, g) = (
            find("Orléans").unwrap(),
            find("Montargis").unwrap(),
            find("Gien").unwrap(),
        );
        let om = distance_km(o.latitude, o.longitude, m.latitude, m.longitude);
        // Orléans–Montargis is about 62 km as the crow flies, Orléans–Gien about 60 km.
        assert!((58.0..66.0).contains(&om), "{om}");
        let og = distance_km(o.latitude, o.longitude, g.latitude, g.longitude);
        assert!((55.0..65.0).contains(&og), "{og}");
        assert_eq!(distance_km(47.9, 1.9, 47.9, 1.9), 0.0);
    }
}
