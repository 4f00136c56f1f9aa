//! The keymap is data: (context, keys, action, French description). The footer hints and the
//! `?` help are generated from this table, so they cannot drift from the real keys.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can ask for. The only vocabulary between keys and state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A new line in a multi-line field.
    NewLine,
    /// Undo / redo the last change of a multi-line field.
    Undo,
    Redo,
    Quit,
    Help,
    Search,
    NewRequest,
    Open,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextTab,
    PrevTab,
    LogFollowUp,
    ChangeStatus,
    Assign,
    Refer,
    Answer,
    EditRequest,
    EditPerson,
    LoadDemo,
    Save,
    NextField,
    PrevField,
    Toggle,
    Left,
    Right,
    ReuseMatch,
    Yes,
    No,
    Refresh,
    Filter,
    PeriodKind,
    CustomPeriod,
    Export,
    Capture,
    MergeFile,
    Pending,
    DecideMerge,
    DecideApart,
    DecideOffice,
    DecideLaptop,
    /// Undo the last decision taken on the pending screen (until the next merge).
    UndoDecision,
    Offers,
    Remind,
    OtherRequests,
    LastWeek,
    /// The aid of the request: grant, pay, commitment start, attestation, breach.
    Aid,
    /// The *Logements* screen (free places for a semester).
    Housing,
    /// A larger / smaller radius around the commune (Logements).
    Wider,
    Narrower,
    /// Who consulted or changed this request (the access log).
    Accesses,
    /// Everything about the person of this request, to a file (right of access).
    ExportPerson,
}

/// Where the agent is; each context has its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Keys that work on every screen that is not a text field.
    Global,
    Welcome,
    PickAgent,
    Queue,
    Request,
    Review,
    Capture,
    Pending,
    Search,
    Form,
    /// A multi-line field of a form (a note, a follow-up): its own keys, then the form's.
    Lines,
    Picker,
    Help,
    Confirm,
    /// A save met a colleague's change: mine or theirs, field by field.
    Conflict,
    Housing,
}

impl Context {
    /// Contexts where printable keys are typed text, not commands.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::Search | Context::Form | Context::Lines | Context::PickAgent | Context::Picker
        )
    }

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Partout",
            Context::Welcome => "Accueil",
            Context::PickAgent => "Choix de l'agent",
            Context::Queue => "Files de demandes",
            Context::Request => "Fiche de la demande",
            Context::Review => "Bilan",
            Context::Capture => "Saisie rapide (salon)",
            Context::Pending => "Fusions : à décider",
            Context::Search => "Recherche",
            Context::Form => "Formulaire",
            Context::Lines => "Texte sur plusieurs lignes",
            Context::Picker => "Liste de choix",
            Context::Help => "Aide",
            Context::Confirm => "Confirmation",
            Context::Conflict => "Modifiée par un collègue",
            Context::Housing => "Logements",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Code(KeyCode),
}

impl Key {
    pub fn matches(self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        match self {
            Key::Char(c) => !ctrl && ev.code == KeyCode::Char(c),
            Key::Ctrl(c) => ctrl && ev.code == KeyCode::Char(c),
            Key::Code(code) => ev.code == code,
        }
    }

    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "Espace".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Key::Code(code) => match code {
                KeyCode::Enter => "Entrée".into(),
                KeyCode::Esc => "Échap".into(),
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::Tab => "Tab".into(),
                KeyCode::BackTab => "Maj-Tab".into(),
                KeyCode::PageUp => "PgPréc".into(),
                KeyCode::PageDown => "PgSuiv".into(),
                KeyCode::Home => "Début".into(),
                KeyCode::End => "Fin".into(),
                KeyCode::F(n) => format!("F{n}"),
                other => format!("{other:?}"),
            },
        }
    }
}

pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    pub action: Action,
    pub desc: &'static str,
    /// Shown in the footer (the main keys of the screen) with this short label.
    pub footer: Option<&'static str>,
}

use Action as A;
use Context as C;
use Key::{Char, Code, Ctrl};
use KeyCode as KC;

const fn b(
    context: Context,
    keys: &'static [Key],
    action: Action,
    desc: &'static str,
    footer: Option<&'static str>,
) -> Binding {
    Binding {
        context,
        keys,
        action,
        desc,
        footer,
    }
}

pub const BINDINGS: &[Binding] = &[
    // Everywhere outside text fields.
    b(
        C::Global,
        &[Char('?'), Code(KC::F(1))],
        A::Help,
        "aide : toutes les touches de l'écran",
        Some("aide"),
    ),
    b(
        C::Global,
        &[Char('/')],
        A::Search,
        "rechercher (nom, e-mail, téléphone, référence, texte)",
        Some("chercher"),
    ),
    b(
        C::Global,
        &[Char('n')],
        A::NewRequest,
        "nouvelle demande",
        Some("nouvelle"),
    ),
    b(
        C::Global,
        &[Ctrl('c')],
        A::Quit,
        "quitter (demande si un formulaire est en cours)",
        None,
    ),
    b(
        C::Global,
        &[Ctrl('l')],
        A::Refresh,
        "relire le fichier",
        None,
    ),
    b(
        C::Global,
        &[Char('c')],
        A::Capture,
        "saisie rapide (fichier de salon)",
        None,
    ),
    b(
        C::Global,
        &[Char('i')],
        A::Offers,
        "ce que propose le Département (bourses, aides…)",
        None,
    ),
    b(
        C::Global,
        &[Char('L')],
        A::Housing,
        "logements libres (loger la demande affichée)",
        None,
    ),
    // Welcome on an empty file.
    b(
        C::Welcome,
        &[Char('d')],
        A::LoadDemo,
        "charger des données de démonstration (2 000 demandes fictives)",
        Some("démo"),
    ),
    b(
        C::Welcome,
        &[Code(KC::Enter)],
        A::Open,
        "commencer avec le fichier vide",
        Some("commencer"),
    ),
    b(
        C::Welcome,
        &[Char('q')],
        A::Quit,
        "quitter",
        Some("quitter"),
    ),
    // Choosing who works.
    b(
        C::PickAgent,
        &[Code(KC::Up)],
        A::Up,
        "agent précédent",
        None,
    ),
    b(
        C::PickAgent,
        &[Code(KC::Down)],
        A::Down,
        "agent suivant",
        None,
    ),
    b(
        C::PickAgent,
        &[Code(KC::Enter)],
        A::Open,
        "choisir (ou créer le nom tapé)",
        Some("choisir"),
    ),
    b(
        C::PickAgent,
        &[Code(KC::Esc)],
        A::Quit,
        "quitter",
        Some("quitter"),
    ),
    b(C::PickAgent, &[Code(KC::F(1))], A::Help, "aide", None),
    // Queues.
    b(
        C::Queue,
        &[Code(KC::Up), Char('k')],
        A::Up,
        "demande précédente",
        None,
    ),
    b(
        C::Queue,
        &[Code(KC::Down), Char('j')],
        A::Down,
        "demande suivante",
        None,
    ),
    b(
        C::Queue,
        &[Code(KC::PageUp)],
        A::PageUp,
        "page précédente",
        None,
    ),
    b(
        C::Queue,
        &[Code(KC::PageDown)],
        A::PageDown,
        "page suivante",
        None,
    ),
    b(
        C::Queue,
        &[Code(KC::Home), Char('g')],
        A::Top,
        "première demande",
        None,
    ),
    b(
        C::Queue,
        &[Code(KC::End), Char('G')],
        A::Bottom,
        "dernière demande",
        None,
    ),
    b(
        C::Queue,
        &[Code(KC::Tab)],
        A::NextTab,
        "file suivante",
        Some("file suivante"),
    ),
    b(
        C::Queue,
        &[Code(KC::BackTab)],
        A::PrevTab,
        "file précédente",
        None,
    ),
    b(
        C::Queue,
        &[Code(KC::Enter)],
        A::Open,
        "ouvrir la demande",
        Some("ouvrir"),
    ),
    b(
        C::Queue,
        &[Char('F')],
        A::Filter,
        "filtrer « Toutes » : type, statut, agent, canal, événement, période",
        Some("filtrer"),
    ),
    b(
        C::Queue,
        &[Char('M')],
        A::MergeFile,
        "fusionner le fichier d'un portable de salon",
        None,
    ),
    b(
        C::Queue,
        &[Char('R')],
        A::Pending,
        "fusions : doublons et modifications à décider",
        None,
    ),
    b(C::Queue, &[Char('q')], A::Quit, "quitter", Some("quitter")),
    // What merges left to decide.
    b(
        C::Pending,
        &[Code(KC::Up), Char('k')],
        A::Up,
        "élément précédent",
        None,
    ),
    b(
        C::Pending,
        &[Code(KC::Down), Char('j')],
        A::Down,
        "élément suivant",
        None,
    ),
    b(
        C::Pending,
        &[Char('f')],
        A::DecideMerge,
        "doublon : c'est la même personne (fusionner)",
        Some("même personne"),
    ),
    b(
        C::Pending,
        &[Char('s')],
        A::DecideApart,
        "doublon : deux personnes différentes (séparer)",
        Some("différentes"),
    ),
    b(
        C::Pending,
        &[Char('b')],
        A::DecideOffice,
        "modifiée des deux côtés : garder la version du bureau",
        Some("bureau"),
    ),
    b(
        C::Pending,
        &[Char('p')],
        A::DecideLaptop,
        "modifiée des deux côtés : appliquer la version du poste",
        Some("poste"),
    ),
    b(
        C::Pending,
        &[Code(KC::Left), Code(KC::Right)],
        A::Right,
        "doublon : candidat du bureau suivant",
        None,
    ),
    b(
        C::Pending,
        &[Char('u')],
        A::UndoDecision,
        "annuler la dernière décision (jusqu'à la prochaine fusion)",
        Some("annuler"),
    ),
    b(
        C::Pending,
        &[Code(KC::Esc), Char('q')],
        A::Back,
        "retour à la file",
        Some("retour"),
    ),
    // Quick capture on a salon laptop, when its form is closed.
    b(
        C::Capture,
        &[Code(KC::Enter), Char('c')],
        A::Open,
        "nouvelle saisie",
        Some("saisir"),
    ),
    b(
        C::Capture,
        &[Code(KC::Tab)],
        A::NextTab,
        "voir les demandes (files)",
        Some("files"),
    ),
    b(
        C::Capture,
        &[Char('q')],
        A::Quit,
        "quitter",
        Some("quitter"),
    ),
    // Review ("Bilan").
    b(
        C::Review,
        &[Code(KC::Left), Char('h')],
        A::Left,
        "période précédente",
        Some("préc."),
    ),
    b(
        C::Review,
        &[Code(KC::Right), Char('l')],
        A::Right,
        "période suivante",
        Some("suiv."),
    ),
    b(
        C::Review,
        &[Char('p')],
        A::PeriodKind,
        "semaine, mois, trimestre ou année",
        Some("durée"),
    ),
    b(
        C::Review,
        &[Char('c')],
        A::CustomPeriod,
        "choisir une autre période (du… au…)",
        None,
    ),
    b(
        C::Review,
        &[Char('x')],
        A::Export,
        "exporter le bilan affiché (classeur xlsx)",
        Some("exporter"),
    ),
    b(
        C::Review,
        &[Code(KC::Up), Char('k')],
        A::Up,
        "remonter",
        None,
    ),
    b(
        C::Review,
        &[Code(KC::Down), Char('j')],
        A::Down,
        "descendre",
        None,
    ),
    b(
        C::Review,
        &[Code(KC::Tab)],
        A::NextTab,
        "onglet suivant (files)",
        Some("files"),
    ),
    b(
        C::Review,
        &[Code(KC::BackTab)],
        A::PrevTab,
        "onglet précédent",
        None,
    ),
    b(
        C::Review,
        &[Char('w')],
        A::LastWeek,
        "revenir à la dernière semaine complète",
        Some("semaine"),
    ),
    b(C::Review, &[Char('q')], A::Quit, "quitter", Some("quitter")),
    // Request file.
    b(
        C::Request,
        &[Code(KC::Up), Char('k')],
        A::Up,
        "remonter le journal",
        None,
    ),
    b(
        C::Request,
        &[Code(KC::Down), Char('j')],
        A::Down,
        "descendre le journal",
        None,
    ),
    b(
        C::Request,
        &[Char('f')],
        A::LogFollowUp,
        "noter un suivi (appel, e-mail…) et la relance",
        Some("suivi"),
    ),
    b(
        C::Request,
        &[Char('s')],
        A::ChangeStatus,
        "changer le statut (clore avec une issue)",
        Some("statut"),
    ),
    b(
        C::Request,
        &[Char('a')],
        A::Assign,
        "attribuer à un agent",
        Some("attribuer"),
    ),
    b(
        C::Request,
        &[Char('o')],
        A::Refer,
        "orienter vers un partenaire",
        Some("orienter"),
    ),
    b(
        C::Request,
        &[Char('r')],
        A::Answer,
        "noter la réponse d'un partenaire",
        None,
    ),
    b(
        C::Request,
        &[Char('l')],
        A::Remind,
        "relance envoyée à un partenaire (à noter)",
        None,
    ),
    b(
        C::Request,
        &[Char('v')],
        A::OtherRequests,
        "voir une autre demande de la personne",
        None,
    ),
    b(
        C::Request,
        &[Char('e')],
        A::EditRequest,
        "modifier la demande (résumé, relance, type, canal, réception)",
        None,
    ),
    b(
        C::Request,
        &[Char('p')],
        A::EditPerson,
        "modifier la personne (nom, contacts)",
        None,
    ),
    b(
        C::Request,
        &[Char('g')],
        A::Aid,
        "aide : accorder, verser, engagement, attestation, rupture",
        None,
    ),
    b(
        C::Request,
        &[Char('t')],
        A::Accesses,
        "qui a consulté ce dossier",
        None,
    ),
    b(
        C::Request,
        &[Char('x')],
        A::ExportPerson,
        "exporter les données de la personne",
        None,
    ),
    b(
        C::Request,
        &[Code(KC::Esc), Char('q')],
        A::Back,
        "retour à la file",
        Some("retour"),
    ),
    // Search.
    b(
        C::Search,
        &[Code(KC::Up)],
        A::Up,
        "résultat précédent",
        None,
    ),
    b(
        C::Search,
        &[Code(KC::Down)],
        A::Down,
        "résultat suivant",
        None,
    ),
    b(
        C::Search,
        &[Code(KC::Enter)],
        A::Open,
        "ouvrir le résultat",
        Some("ouvrir"),
    ),
    b(
        C::Search,
        &[Code(KC::Esc)],
        A::Back,
        "fermer la recherche",
        Some("fermer"),
    ),
    b(C::Search, &[Code(KC::F(1))], A::Help, "aide", None),
    // Forms.
    b(
        C::Form,
        &[Code(KC::Tab), Code(KC::Down)],
        A::NextField,
        "champ suivant",
        Some("champ suivant"),
    ),
    b(
        C::Form,
        &[Code(KC::BackTab), Code(KC::Up)],
        A::PrevField,
        "champ précédent",
        None,
    ),
    b(
        C::Form,
        &[Code(KC::Left)],
        A::Left,
        "choix précédent / curseur à gauche",
        None,
    ),
    b(
        C::Form,
        &[Code(KC::Right)],
        A::Right,
        "choix suivant / curseur à droite",
        None,
    ),
    b(
        C::Form,
        &[Ctrl('t')],
        A::Toggle,
        "cocher / décocher (types de demande)",
        None,
    ),
    b(
        C::Form,
        &[Ctrl('p'), Code(KC::F(2))],
        A::ReuseMatch,
        "reprendre une personne proposée",
        None,
    ),
    b(
        C::Form,
        &[Ctrl('s'), Code(KC::F(10))],
        A::Save,
        "enregistrer",
        Some("enregistrer"),
    ),
    b(
        C::Form,
        &[Code(KC::Esc)],
        A::Back,
        "annuler",
        Some("annuler"),
    ),
    b(C::Form, &[Code(KC::F(1))], A::Help, "aide", None),
    b(
        C::Form,
        &[Ctrl('o')],
        A::Offers,
        "ce que propose le Département (bourses, aides…)",
        None,
    ),
    // A multi-line field of a form; the form's other keys work there too.
    b(
        C::Lines,
        &[Code(KC::Enter)],
        A::NewLine,
        "nouvelle ligne",
        Some("nouvelle ligne"),
    ),
    b(
        C::Lines,
        &[Code(KC::Up), Code(KC::Down)],
        A::Up,
        "ligne précédente / suivante (depuis la première ou la dernière : champ voisin)",
        Some("lignes"),
    ),
    b(
        C::Lines,
        &[Ctrl('z')],
        A::Undo,
        "annuler la dernière modification",
        Some("annuler"),
    ),
    b(C::Lines, &[Ctrl('y')], A::Redo, "rétablir", None),
    // Lists of choices (status, agent, partner…).
    b(C::Picker, &[Code(KC::Up)], A::Up, "choix précédent", None),
    b(C::Picker, &[Code(KC::Down)], A::Down, "choix suivant", None),
    b(
        C::Picker,
        &[Code(KC::Enter)],
        A::Save,
        "valider",
        Some("valider"),
    ),
    b(
        C::Picker,
        &[Code(KC::Esc)],
        A::Back,
        "annuler",
        Some("annuler"),
    ),
    b(
        C::Form,
        &[Ctrl('c')],
        A::Quit,
        "quitter (demande confirmation)",
        None,
    ),
    b(C::Search, &[Ctrl('c')], A::Quit, "quitter", None),
    b(C::Picker, &[Code(KC::F(1))], A::Help, "aide", None),
    // Help and confirmations.
    b(
        C::Help,
        &[
            Code(KC::Esc),
            Char('?'),
            Char('q'),
            Code(KC::Enter),
            Code(KC::F(1)),
        ],
        A::Back,
        "fermer l'aide",
        Some("fermer"),
    ),
    b(
        C::Help,
        &[Code(KC::Up), Char('k')],
        A::Up,
        "remonter",
        Some("défiler"),
    ),
    b(
        C::Help,
        &[Code(KC::Down), Char('j')],
        A::Down,
        "descendre",
        None,
    ),
    b(
        C::Help,
        &[Code(KC::PageUp)],
        A::PageUp,
        "page précédente",
        None,
    ),
    b(
        C::Help,
        &[Code(KC::PageDown), Char(' ')],
        A::PageDown,
        "page suivante",
        None,
    ),
    b(
        C::Confirm,
        &[Char('o'), Char('y')],
        A::Yes,
        "oui",
        Some("oui"),
    ),
    b(
        C::Confirm,
        &[Char('n'), Code(KC::Esc)],
        A::No,
        "non",
        Some("non"),
    ),
    // A save met a colleague's change on the same fields.
    b(
        C::Conflict,
        &[Code(KC::Up), Char('k')],
        A::Up,
        "champ précédent",
        None,
    ),
    b(
        C::Conflict,
        &[Code(KC::Down), Char('j')],
        A::Down,
        "champ suivant",
        None,
    ),
    b(
        C::Conflict,
        &[Code(KC::Left), Char('m')],
        A::Left,
        "garder ma valeur",
        Some("la mienne"),
    ),
    b(
        C::Conflict,
        &[Code(KC::Right), Char('c')],
        A::Right,
        "garder celle du collègue",
        Some("la sienne"),
    ),
    b(
        C::Conflict,
        &[Char(' ')],
        A::Toggle,
        "changer de choix",
        None,
    ),
    b(
        C::Conflict,
        &[Ctrl('s'), Code(KC::F(10)), Code(KC::Enter)],
        A::Save,
        "enregistrer ces choix",
        Some("enregistrer"),
    ),
    b(
        C::Conflict,
        &[Code(KC::Esc)],
        A::Back,
        "revenir au formulaire (rien n'est écrit)",
        Some("retour"),
    ),
    b(
        C::Conflict,
        &[Char('?'), Code(KC::F(1))],
        A::Help,
        "aide",
        None,
    ),
    // The Logements screen (issue #14); `L` above opens it from every screen.
    b(
        C::Housing,
        &[Code(KC::Up), Char('k')],
        A::Up,
        "logement précédent",
        None,
    ),
    b(
        C::Housing,
        &[Code(KC::Down), Char('j')],
        A::Down,
        "logement suivant",
        None,
    ),
    b(
        C::Housing,
        &[Code(KC::Left), Char('h')],
        A::Left,
        "semestre précédent",
        Some("semestre"),
    ),
    b(
        C::Housing,
        &[Code(KC::Right), Char('l')],
        A::Right,
        "semestre suivant",
        None,
    ),
    b(
        C::Housing,
        &[Char('p')],
        A::Filter,
        "près de quelle commune (ou tout le registre)",
        Some("commune"),
    ),
    b(
        C::Housing,
        &[Char('+')],
        A::Wider,
        "rayon plus grand (+10 km)",
        Some("rayon"),
    ),
    b(
        C::Housing,
        &[Char('-')],
        A::Narrower,
        "rayon plus petit (-10 km)",
        None,
    ),
    b(
        C::Housing,
        &[Code(KC::Enter)],
        A::Open,
        "loger la demande ici (ou noter l'intérêt du visiteur)",
        Some("loger"),
    ),
    b(
        C::Housing,
        &[Code(KC::Esc), Char('q')],
        A::Back,
        "retour",
        Some("retour"),
    ),
];

/// The action of a key in a context: the context's own keys first, then — outside text
/// fields — the global ones.
pub fn action_for(context: Context, ev: &KeyEvent) -> Option<Action> {
    let find = |ctx: Context| {
        BINDINGS
            .iter()
            .filter(|b| b.context == ctx)
            .find(|b| b.keys.iter().any(|k| k.matches(ev)))
            .map(|b| b.action)
    };
    find(context).or_else(|| {
        if context == Context::Lines {
            find(Context::Form)
        } else if context.takes_text()
            || matches!(
                context,
                Context::Help | Context::Confirm | Context::Conflict
            )
        {
            None
        } else {
            find(Context::Global)
        }
    })
}

/// Every binding of a context (and the global ones where they apply and are not shadowed by
/// the context's own keys), for the help and the footer. `salon`: the quick capture exists.
pub fn bindings_for(context: Context, salon: bool) -> impl Iterator<Item = &'static Binding> {
    let with_global = !context.takes_text()
        && !matches!(
            context,
            Context::Help | Context::Confirm | Context::Conflict
        );
    BINDINGS.iter().filter(move |b| {
        if b.context == context {
            return true;
        }
        if !with_global || b.context != Context::Global {
            return false;
        }
        // A global key that does nothing here is not listed here.
        if b.action == Action::Capture && (!salon || context == Context::Capture) {
            return false;
        }
        if b.action == Action::Housing && context == Context::Housing {
            return false;
        }
        let own = |k: &Key| {
            BINDINGS
                .iter()
                .filter(|o| o.context == context)
                .any(|o| o.keys.contains(k))
        };
        !b.keys.iter().all(own)
    })
}

/// "Tab file suivante · Entrée ouvrir…": the footer of a context.
pub fn footer(context: Context, salon: bool) -> Vec<(String, &'static str)> {
    // In a multi-line field the footer stays the form's; the field shows its own keys (`hint`).
    let context = if context == Context::Lines {
        Context::Form
    } else {
        context
    };
    bindings_for(context, salon)
        .filter_map(|b| b.footer.map(|label| (b.keys[0].label(), label)))
        .collect()
}

/// The keys of a context as one inline hint: "Entrée nouvelle ligne · ↑ ↓ lignes · Ctrl-Z
/// annuler" (the keys a multi-line field shows under itself).
pub fn hint(context: Context) -> String {
    bindings_for(context, false)
        .filter_map(|b| b.footer.map(|label| format!("{} {label}", keys_label(b))))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The key of an action in a context, as hints name it ("Entrée", "Ctrl-P"): inline hints,
/// confirmations and messages say the key the keymap really binds. "?" if none (a test keeps
/// every hint bound).
pub fn key_of(context: Context, action: Action) -> String {
    BINDINGS
        .iter()
        .find(|b| b.context == context && b.action == action)
        .map_or_else(|| "?".to_string(), |b| b.keys[0].label())
}

pub fn keys_label(b: &Binding) -> String {
    b.keys
        .iter()
        .map(|k| k.label())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every context's own keys as the README's Markdown table (one row per screen, in the
/// keymap's order): the README shows what the keymap binds, a test keeps them equal.
pub fn readme_table() -> String {
    let mut contexts: Vec<Context> = Vec::new();
    for b in BINDINGS {
        if !contexts.contains(&b.context) {
            contexts.push(b.context);
        }
    }
    let mut out = String::from("| où | touches |\n|---|---|\n");
    for ctx in contexts {
        let keys = BINDINGS
            .iter()
            .filter(|b| b.context == ctx)
            .map(|b| {
                let keys: Vec<String> = b.keys.iter().map(|k| format!("`{}`", k.label())).collect();
                format!("{} {}", keys.join(" "), b.desc)
            })
            .collect::<Vec<_>>()
            .join(" · ");
        let title = match ctx {
            Context::Global => "Partout (hors saisie)",
            other => other.title(),
        };
        out.push_str(&format!("| {title} | {keys} |\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEvent;

    /// The README's table of keys is the keymap's: change a key, and this says what to paste.
    #[test]
    fn the_readme_lists_the_keymap() {
        let readme = include_str!("../../README.md");
        let table = readme_table();
        assert!(
            readme.contains(&table),
            "README.md's table of keys differs from the keymap; paste this one:\n{table}"
        );
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn every_hint_names_a_bound_key() {
        for (ctx, action) in [
            (Context::Capture, Action::Open),
            (Context::Capture, Action::NextTab),
            (Context::Form, Action::ReuseMatch),
            (Context::Form, Action::Toggle),
            (Context::Pending, Action::UndoDecision),
            (Context::Queue, Action::Pending),
            (Context::Confirm, Action::Yes),
            (Context::Confirm, Action::No),
        ] {
            let key = key_of(ctx, action);
            assert_ne!(key, "?", "{action:?} in {ctx:?}");
        }
        assert_eq!(key_of(Context::Form, Action::ReuseMatch), "Ctrl-P");
    }

    #[test]
    fn the_minimum_keys_hold() {
        assert_eq!(
            action_for(Context::Queue, &key(KeyCode::Char('?'))),
            Some(Action::Help)
        );
        assert_eq!(
            action_for(Context::Queue, &key(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
        assert_eq!(
            action_for(Context::Queue, &key(KeyCode::Char('/'))),
            Some(Action::Search)
        );
        assert_eq!(
            action_for(Context::Queue, &key(KeyCode::Char('n'))),
            Some(Action::NewRequest)
        );
        assert_eq!(
            action_for(Context::Queue, &key(KeyCode::Enter)),
            Some(Action::Open)
        );
        assert_eq!(
            action_for(Context::Queue, &key(KeyCode::Char('j'))),
            Some(Action::Down)
        );
        assert_eq!(
            action_for(Context::Queue, &key(KeyCode::Char('k'))),
            Some(Action::Up)
        );
        assert_eq!(
            action_for(Context::Queue, &key(KeyCode::Tab)),
            Some(Action::NextTab)
        );
        assert_eq!(
            action_for(Context::Queue, &key(KeyCode::BackTab)),
            Some(Action::PrevTab)
        );
        assert_eq!(
            action_for(Context::Request, &key(KeyCode::Esc)),
            Some(Action::Back)
        );
        assert_eq!(
            action_for(Context::Request, &key(KeyCode::Char('?'))),
            Some(Action::Help)
        );
        // In a text field, letters are text.
        assert_eq!(action_for(Context::Form, &key(KeyCode::Char('q'))), None);
        assert_eq!(action_for(Context::Search, &key(KeyCode::Char('j'))), None);
        assert_eq!(
            action_for(Context::Form, &key(KeyCode::Esc)),
            Some(Action::Back)
        );
    }

    #[test]
    fn every_context_lists_each_key_once_and_every_listed_key_does_what_it_says() {
        const ALL: [Context; 16] = [
            Context::Lines,
            Context::Housing,
            Context::Welcome,
            Context::PickAgent,
            Context::Queue,
            Context::Request,
            Context::Review,
            Context::Capture,
            Context::Pending,
            Context::Search,
            Context::Form,
            Context::Picker,
            Context::Help,
            Context::Confirm,
            Context::Conflict,
            Context::Global,
        ];
        for salon in [false, true] {
            for ctx in ALL {
                let mut seen: Vec<String> = Vec::new();
                for b in bindings_for(ctx, salon) {
                    for k in b.keys {
                        let label = k.label();
                        assert!(!seen.contains(&label), "{label} listed twice in {ctx:?}");
                        seen.push(label.clone());
                        // Reachable: the key does what the help says in this context.
                        let ev = match *k {
                            Key::Char(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
                            Key::Ctrl(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
                            Key::Code(code) => KeyEvent::new(code, KeyModifiers::NONE),
                        };
                        if ctx != Context::Global {
                            assert_eq!(action_for(ctx, &ev), Some(b.action), "{label} in {ctx:?}");
                        }
                    }
                }
            }
        }
        // The quick capture is listed on a salon laptop only, and Ctrl-C everywhere.
        assert!(!bindings_for(Context::Queue, false).any(|b| b.action == Action::Capture));
        assert!(bindings_for(Context::Queue, true).any(|b| b.action == Action::Capture));
        for ctx in [
            Context::Queue,
            Context::Request,
            Context::Form,
            Context::Review,
            Context::Search,
            Context::Welcome,
            Context::Housing,
        ] {
            assert!(
                bindings_for(ctx, false).any(|b| b.keys.contains(&Key::Ctrl('c'))),
                "Ctrl-C in {ctx:?}"
            );
        }
    }
}
