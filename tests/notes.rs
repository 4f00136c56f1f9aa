//! Referral notes: the note sent and the answer's note are two texts, both kept, both shown.

mod common;

use common::Env;

#[test]
fn the_sent_note_and_the_answer_note_are_both_kept_and_shown() {
    let env = Env::new();
    let r = env
        .ok(&[
            "request",
            "add",
            "--type",
            "installation",
            "--nom",
            "Roux",
            "--prenom",
            "Zoé",
        ])
        .trim()
        .to_string();
    env.ok(&[
        "referral",
        "add",
        &r,
        "--partenaire",
        "cpam",
        "--note",
        "Dossier complet transmis",
    ]);
    env.ok(&[
        "referral",
        "answer",
        &r,
        "--partenaire",
        "cpam",
        "--reponse",
        "favorable",
        "--note",
        "Droits ouverts au 1er décembre",
    ]);
    let shown = env.ok(&["request", "show", &r]);
    assert!(
        shown.contains("note d'envoi : Dossier complet transmis"),
        "{shown}"
    );
    assert!(
        shown.contains("note de réponse : Droits ouverts au 1er décembre"),
        "{shown}"
    );
    // The history says both in French, never by the stored field's name.
    assert!(
        shown.contains("Note d'orientation : Dossier complet transmis")
            && shown.contains("Note de réponse : Droits ouverts au 1er décembre")
            && !shown.contains("answer_note"),
        "{shown}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["request", "show", &r, "--format", "json"])).unwrap();
    let referral = &json["referrals"][0];
    assert_eq!(referral["note"], "Dossier complet transmis");
    assert_eq!(referral["answer_note"], "Droits ouverts au 1er décembre");
    // Both are in the history, with who and when.
    let history = json["history"].as_array().unwrap();
    let field = |f: &str| {
        history
            .iter()
            .find(|h| h["field"] == f)
            .map(|h| h["new_value"].clone())
    };
    assert_eq!(field("note"), Some("Dossier complet transmis".into()));
    assert_eq!(
        field("answer_note"),
        Some("Droits ouverts au 1er décembre".into())
    );
}
