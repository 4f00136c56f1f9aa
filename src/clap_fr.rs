//! The command line in French: clap's help templates, flags and usage errors rewritten, plus
//! shell completions and the man page, all generated from the same `clap::Command`.
//!
//! clap prints English boilerplate (`error:`, `Usage:`, `Print help`, `[possible values: …]`).
//! Here every command gets French headings, French `-h/--help` and `-V/--version` flags, and the
//! value hints are written into the help texts in French; a parse error is rendered from its
//! `ErrorKind` and context, never from clap's English text.

use crate::cli::Cli;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, CommandFactory, FromArgMatches};
use std::ffi::OsString;
use std::io::Write;

/// The whole command tree, in French.
pub fn command() -> clap::Command {
    frenchify(Cli::command(), true)
}

/// How a run of `guichet ARGS…` should go on: with parsed arguments, or stop here.
pub enum Parsed {
    Run(Box<Cli>),
    /// Help or version was asked for, or a usage error: print `text` (to stdout when
    /// `code == 0`, else stderr) and exit with `code`.
    Exit {
        text: String,
        code: u8,
    },
}

/// Parses the process arguments (`guichet help X` and `guichet aide X` mean `guichet X --help`).
pub fn parse_from<I, T>(args: I) -> Parsed
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let mut args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    if args.get(1).is_some_and(|a| a == "help" || a == "aide") {
        args.remove(1);
        args.push("--help".into());
    }
    let mut cmd = command();
    let typed: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let result = cmd
        .try_get_matches_from_mut(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    match result {
        Ok(cli) => Parsed::Run(Box::new(cli)),
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Parsed::Exit {
                text: e.render().to_string(),
                code: 0,
            },
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Parsed::Exit {
                text: e.render().to_string(),
                code: 2,
            },
            _ => Parsed::Exit {
                text: render_error_of(&e, &typed),
                code: 2,
            },
        },
    }
}

/// Turns clap's defaults French, on `cmd` and every subcommand below it.
fn frenchify(cmd: clap::Command, root: bool) -> clap::Command {
    let has_positionals = cmd.get_positionals().next().is_some();
    let has_subcommands = cmd.has_subcommands();
    let mut template = String::from("{before-help}{about-with-newline}\nUtilisation : {usage}\n");
    if has_subcommands {
        template.push_str("\nCommandes :\n{subcommands}\n");
    }
    if has_positionals {
        template.push_str("\nArguments :\n{positionals}\n");
    }
    template.push_str("\nOptions :\n{options}\n{after-help}");
    let mut cmd = cmd
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .subcommand_value_name("COMMANDE")
        .help_template(template)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Affiche cette aide"),
        );
    if root {
        cmd = cmd.arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Affiche la version"),
        );
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        cmd = cmd.mut_arg(id, french_arg);
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |s| frenchify(s, false));
    }
    cmd
}

/// Value hints in French inside the help text; a French placeholder where clap would
/// upper-case an English field name.
fn french_arg(arg: Arg) -> Arg {
    if !arg.get_action().takes_values() {
        return arg;
    }
    let mut hints = Vec::new();
    if !arg.is_hide_possible_values_set() {
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() {
            hints.push(format!("valeurs : {}", values.join(", ")));
        }
    }
    if !arg.is_hide_default_value_set() {
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if !defaults.is_empty() {
            hints.push(format!("par défaut : {}", defaults.join(", ")));
        }
    }
    if let Some(env) = arg.get_env()
        && !arg.is_hide_env_set()
    {
        hints.push(format!("variable {}", env.to_string_lossy()));
    }
    let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
    let help = hints
        .iter()
        .fold(help, |h, hint| format!("{h} [{hint}]").trim().to_string());
    // clap's derive names a value after its field, upper-cased: French words stay, English
    // ones get a French placeholder.
    let id = arg.get_id().as_str();
    let derived = match arg.get_value_names() {
        None => true,
        Some([one]) => one.as_str() == id.to_uppercase(),
        Some(_) => false,
    };
    let placeholder = derived.then(|| placeholder(id)).flatten();
    let mut arg = arg
        .hide_possible_values(true)
        .hide_default_value(true)
        .hide_env(true)
        .help(help);
    if let Some(p) = placeholder {
        arg = arg.value_name(p);
    }
    arg
}

/// French placeholders for the English field names (French names stay as clap writes them).
fn placeholder(id: &str) -> Option<&'static str> {
    Some(match id {
        "file" | "out" | "backup" | "path" => "FICHIER",
        "reference" => "RÉFÉRENCE",
        "from" | "to" | "date" | "du" | "au" | "attendue" | "relance" | "date_cloture" => "DATE",
        "text" => "TEXTE",
        "kind" => "GENRE",
        "type_" => "TYPE",
        "requests" | "seed" | "limit" | "garder" | "annees" | "candidat" => "N",
        "name" => "NOM",
        "label" => "LIBELLÉ",
        "list" => "LISTE",
        "montant" | "bonification" | "remboursement" | "loyer" => "EUROS",
        _ => return None,
    })
}

/// A usage error, in French: what is wrong, the usage line, where to find help.
pub fn render_error(e: &clap::Error) -> String {
    render_error_of(e, &[])
}

/// [`render_error`] knowing the words typed (`typed[0]` the program), for hints that quote
/// them whole.
fn render_error_of(e: &clap::Error, typed: &[String]) -> String {
    let s = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(v)) => Some(v.clone()),
        _ => None,
    };
    let list = |k: ContextKind| match e.get(k) {
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::String(v)) => vec![v.clone()],
        _ => Vec::new(),
    };
    let arg = s(ContextKind::InvalidArg).unwrap_or_default();
    let value = s(ContextKind::InvalidValue).unwrap_or_default();
    let quoted = |v: &[String]| {
        v.iter()
            .map(|x| format!("« {x} »"))
            .collect::<Vec<_>>()
            .join(" ou ")
    };
    let valid = list(ContextKind::ValidValue);
    let possible = if valid.is_empty() {
        String::new()
    } else {
        format!(" ; valeurs possibles : {}", valid.join(", "))
    };
    let mut msg = match e.kind() {
        ErrorKind::InvalidValue if value.is_empty() => {
            format!("{arg} attend une valeur, aucune n'a été donnée{possible}")
        }
        ErrorKind::InvalidValue => format!("valeur « {value} » invalide pour {arg}{possible}"),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .and_then(|src| src.downcast_ref::<std::num::ParseIntError>())
                .map(|_| " : nombre entier attendu")
                .unwrap_or("");
            format!("valeur « {value} » invalide pour {arg}{why}")
        }
        ErrorKind::UnknownArgument if !arg.starts_with('-') => {
            let takes_text =
                usage_command(&usage_of(e)).is_some_and(|c| c.get_positionals().next().is_some());
            if takes_text {
                format!(
                    "mot en trop : « {arg} » (une valeur de plusieurs mots s'écrit entre \
                     guillemets, par exemple \"Jean Dupont\")"
                )
            } else {
                format!("mot en trop : « {arg} » (cette commande ne prend que des options)")
            }
        }
        ErrorKind::UnknownArgument => format!("option inconnue : « {arg} »"),
        ErrorKind::InvalidSubcommand => {
            let name = s(ContextKind::InvalidSubcommand).unwrap_or_default();
            let mut m = format!("commande inconnue : « {name} »");
            // `guichet salon merge`: a command of guichet itself, typed under another.
            if typed.len() > 2 && command().find_subcommand(&name).is_some() {
                m.push_str(&format!(
                    " ; c'est une commande de guichet : « guichet {name} »"
                ));
            }
            m
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = list(ContextKind::InvalidArg);
            if missing.len() == 1 {
                format!("argument obligatoire manquant : {}", missing[0])
            } else {
                format!("arguments obligatoires manquants : {}", missing.join(", "))
            }
        }
        ErrorKind::MissingSubcommand => {
            let valid = list(ContextKind::ValidSubcommand);
            format!(
                "« {} » attend une commande : {}",
                s(ContextKind::InvalidSubcommand).unwrap_or_default(),
                valid.join(", ")
            )
        }
        ErrorKind::ArgumentConflict => match e.get(ContextKind::PriorArg) {
            Some(ContextValue::String(prior)) if *prior == arg => {
                format!("{arg} ne peut être donné qu'une fois")
            }
            Some(ContextValue::String(prior)) => {
                format!("{arg} ne peut pas être utilisé avec {prior}")
            }
            Some(ContextValue::Strings(prior)) => {
                format!("{arg} ne peut pas être utilisé avec {}", prior.join(", "))
            }
            _ => format!("{arg} ne peut pas être utilisé avec les autres options données"),
        },
        ErrorKind::NoEquals => format!("{arg} s'écrit avec un signe égal : {arg}=VALEUR"),
        ErrorKind::TooManyValues => {
            format!("valeur en trop pour {arg} : « {value} »")
        }
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("nombre de valeurs incorrect pour {arg}")
        }
        ErrorKind::InvalidUtf8 => "un argument n'est pas du texte UTF-8 valide".to_string(),
        _ => "ligne de commande invalide".to_string(),
    };
    if let Some(suggested) = s(ContextKind::SuggestedArg) {
        msg.push_str(&format!(" ; vouliez-vous dire « {suggested} » ?"));
    }
    let suggested = list(ContextKind::SuggestedSubcommand);
    if !suggested.is_empty() {
        msg.push_str(&format!(" ; vouliez-vous dire {} ?", quoted(&suggested)));
    }
    let suggested_any = !suggested.is_empty() || e.get(ContextKind::SuggestedArg).is_some();
    if let Some(ContextValue::String(v)) = e.get(ContextKind::SuggestedValue) {
        msg.push_str(&format!(" ; vouliez-vous dire « {v} » ?"));
    }
    if e.kind() == ErrorKind::UnknownArgument && arg.starts_with('-') && !suggested_any {
        msg.push_str(&value_hint(&arg, typed));
    }
    let usage = &optional_in_brackets(&usage_of(e));
    let mut out = format!("guichet : {msg}\n");
    if !usage.is_empty() {
        // The command path: the words before the first option or placeholder.
        let path: Vec<&str> = usage
            .split_whitespace()
            .take_while(|w| !w.starts_with(['[', '<', '-']))
            .collect();
        out.push_str(&format!("\nUtilisation : {usage}\n"));
        out.push_str(&format!("Pour l'aide : {} --help\n", path.join(" ")));
    }
    out
}

/// How to give a value that starts with `-`, which clap took for an option: after an option
/// that takes a value, `--option=-2+3`; else (a positional word) `-- -2+3`.
fn value_hint(arg: &str, typed: &[String]) -> String {
    let at = typed
        .iter()
        .skip(1)
        .position(|w| w == arg || (w.starts_with(arg) && !w.starts_with("--")))
        .map(|i| i + 1);
    let Some(at) = at else {
        return format!("\n(pour donner « {arg} » comme valeur, écrivez « -- {arg} »)");
    };
    let word = &typed[at];
    let before = &typed[at - 1];
    if before.starts_with("--") && !before.contains('=') && takes_value(&before[2..]) {
        format!("\n(pour donner « {word} » comme valeur de {before}, écrivez « {before}={word} »)")
    } else {
        format!("\n(pour donner « {word} » comme valeur, écrivez « -- {word} »)")
    }
}

/// Some command of the tree has an option `--long` that takes a value.
fn takes_value(long: &str) -> bool {
    fn walk(cmd: &clap::Command, long: &str) -> bool {
        cmd.get_arguments()
            .any(|a| a.get_long() == Some(long) && a.get_action().takes_values())
            || cmd.get_subcommands().any(|s| walk(s, long))
    }
    walk(&command(), long)
}

/// The usage line of a clap error, without its English heading.
fn usage_of(e: &clap::Error) -> String {
    let usage = match e.get(ContextKind::Usage) {
        Some(ContextValue::StyledStr(u)) => u.to_string(),
        _ => String::new(),
    };
    let usage = usage.trim();
    usage
        .strip_prefix("Usage:")
        .unwrap_or(usage)
        .trim()
        .to_string()
}

/// The (sub)command a usage line is about: `guichet request add …` → `request add`.
fn usage_command(usage: &str) -> Option<clap::Command> {
    let mut at = command();
    at.build();
    for p in usage
        .split_whitespace()
        .skip(1)
        .take_while(|w| !w.starts_with(['[', '<', '-']))
    {
        at = at.find_subcommand(p)?.clone();
    }
    Some(at)
}

/// clap's usage line of an error lists the options that were given — also those read from
/// the environment (`GUICHET_DB` shows as `--db <FICHIER>`) — as if they were required:
/// the options the command does not require are put in brackets.
fn optional_in_brackets(usage: &str) -> String {
    let words: Vec<&str> = usage.split_whitespace().collect();
    let Some(at) = usage_command(usage) else {
        return usage.to_string();
    };
    let required = |long: &str| {
        at.get_arguments()
            .any(|a| a.get_long() == Some(long) && a.is_required_set())
    };
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if let Some(long) = w.strip_prefix("--")
            && !long.is_empty()
            && !required(long)
        {
            match words.get(i + 1) {
                Some(v) if v.starts_with('<') => {
                    out.push(format!("[{w} {v}]"));
                    i += 2;
                }
                _ => {
                    out.push(format!("[{w}]"));
                    i += 1;
                }
            }
            continue;
        }
        out.push(w.to_string());
        i += 1;
    }
    out.join(" ")
}

/// `guichet completions SHELL`: the completion script for the shell.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn Write) -> crate::Result<()> {
    let mut cmd = command();
    // Generated in memory: clap_complete panics on a write error (`… | head`).
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "guichet", &mut buf);
    out.write_all(&buf)?;
    Ok(())
}

/// `guichet man`: the manual page (roff) of `guichet`, section headings in French.
pub fn write_man(out: &mut dyn Write) -> crate::Result<()> {
    out.write_all(man_page(command())?.as_bytes())?;
    Ok(())
}

/// `guichet man --dossier DIR`: `guichet.1` and one page per subcommand (`guichet-request-add.1`…),
/// as the « VOIR AUSSI » of each page names them. Returns how many pages were written.
pub fn write_man_pages(dir: &std::path::Path) -> crate::Result<usize> {
    crate::paths::create_private_dir(dir)?;
    let mut cmd = command();
    cmd.build();
    let mut written = 0;
    write_pages(&cmd, dir, &mut written)?;
    Ok(written)
}

fn write_pages(
    cmd: &clap::Command,
    dir: &std::path::Path,
    written: &mut usize,
) -> crate::Result<()> {
    let page = man_page(cmd.clone())?;
    let path = dir.join(format!("{}.1", cmd.get_name()));
    std::fs::write(&path, page).map_err(|e| crate::Error::File {
        path: path.clone(),
        why: format!("impossible d'écrire la page de manuel : {e}"),
    })?;
    *written += 1;
    for sub in cmd.get_subcommands() {
        // clap names commands with `&'static str` (without its `string` feature): these few
        // names live until the process ends, right after.
        let name: &'static str =
            Box::leak(format!("{}-{}", cmd.get_name(), sub.get_name()).into_boxed_str());
        write_pages(&sub.clone().name(name), dir, written)?;
    }
    Ok(())
}

fn man_page(cmd: clap::Command) -> crate::Result<String> {
    let man = clap_mangen::Man::new(cmd)
        .manual("Manuel de guichet")
        .date(format!("version {}", env!("CARGO_PKG_VERSION")))
        .source("guichet");
    let mut buf = Vec::new();
    man.render(&mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let mut page = String::with_capacity(text.len());
    for line in text.lines() {
        page.push_str(match line {
            ".SH NAME" => ".SH NOM",
            ".SH SUBCOMMANDS" => ".SH COMMANDES",
            ".SH EXTRA" => ".SH COMPLÉMENTS",
            ".SH AUTHORS" => ".SH AUTEURS",
            l => l,
        });
        page.push('\n');
    }
    Ok(page)
}
