//! The interface's settings: a small text file in the platform configuration directory, one
//! `clé = valeur` per line, that the agent may edit by hand:
//!
//! ```text
//! # réglages de guichet
//! agent = Julien Moreau
//! theme = clair
//! ```
//!
//! `agent`: the last agent chosen (offered first next time); `theme`: `clair` or `sombre`.
//! Unknown keys and unreadable lines are ignored; a missing file is empty settings.

use crate::error::Result;
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    pub agent: Option<String>,
    pub theme: Option<String>,
}

impl Settings {
    pub fn load(path: &Path) -> Settings {
        let Ok(text) = std::fs::read_to_string(path) else {
            return Settings::default();
        };
        let mut s = Settings::default();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.trim() {
                "agent" => s.agent = Some(value.to_string()),
                "theme" => s.theme = Some(value.to_string()),
                _ => {}
            }
        }
        s
    }

    /// Writes the file (owner only), creating its directory.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            crate::paths::create_private_dir(dir)?;
        }
        let mut text = String::from("# réglages de guichet (clé = valeur)\n");
        if let Some(a) = &self.agent {
            text.push_str(&format!("agent = {}\n", a.replace('\n', " ")));
        }
        if let Some(t) = &self.theme {
            text.push_str(&format!("theme = {t}\n"));
        }
        crate::store::write_private(path, text.as_bytes())
    }

    /// The light theme: `GUICHET_THEME` (`clair` / `sombre`) first, then the file.
    pub fn light(&self, env: Option<&str>) -> bool {
        let chosen = env.filter(|v| !v.is_empty()).or(self.theme.as_deref());
        chosen.is_some_and(|t| {
            let t = crate::text::fold(t.trim());
            t == "clair" || t == "light"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_the_environment_chooses_the_theme_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("conf").join("reglages.txt");
        assert_eq!(Settings::load(&path), Settings::default());
        let s = Settings {
            agent: Some("Julien Moreau".into()),
            theme: Some("clair".into()),
        };
        s.save(&path).unwrap();
        assert_eq!(Settings::load(&path), s);
        assert!(s.light(None));
        assert!(!s.light(Some("sombre")));
        assert!(Settings::default().light(Some("clair")));
        assert!(!Settings::default().light(None));
    }
}
