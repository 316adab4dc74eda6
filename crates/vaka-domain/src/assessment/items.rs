//! The items of AUDIT and DUDIT with their answer options and points: one table per instrument.
//!
//! Sources (see `docs/assessments.md` and `../shared/DOMAIN-NOTES.md` §1–2):
//! - AUDIT: Babor, Higgins-Biddle, Saunders & Monteiro, *AUDIT. Guidelines for Use in Primary
//!   Care*, 2nd ed., WHO/MSD/MSB/01.6a, WHO 2001 — item wording, options and points (items 1–8
//!   score 0–4, items 9–10 score 0/2/4). Swedish wording: the Swedish version by Hans Bergman,
//!   Magnus Huss klinik, Karolinska sjukhuset 1994 (free to use, copyright WHO).
//! - DUDIT: Berman, Bergman, Palmstierna & Schlyter, *DUDIT Manual v1.0*, Karolinska Institutet
//!   2003, and Eur Addict Res 2005;11:22–31 — items 1–9 score 0–4, items 10–11 score 0/2/4. Free
//!   to use in care and research; the wording must not be changed.

use super::Instrument;

/// One answer option: the points it gives and its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerOption {
    pub points: u8,
    pub sv: &'static str,
    pub en: &'static str,
}

/// One item (question) of an instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// 1-based, as on the printed form.
    pub number: u8,
    pub sv: &'static str,
    pub en: &'static str,
    pub options: &'static [AnswerOption],
}

impl Item {
    /// The valid points of this item, in order.
    pub fn points(&self) -> impl Iterator<Item = u8> + '_ {
        self.options.iter().map(|o| o.points)
    }
}

const fn opt(points: u8, sv: &'static str, en: &'static str) -> AnswerOption {
    AnswerOption { points, sv, en }
}

const AUDIT_FREQUENCY: &[AnswerOption] = &[
    opt(0, "Aldrig", "Never"),
    opt(1, "1 gång i månaden eller mer sällan", "Monthly or less"),
    opt(2, "2–4 gånger i månaden", "2–4 times a month"),
    opt(3, "2–3 gånger i veckan", "2–3 times a week"),
    opt(4, "4 gånger i veckan eller mer", "4 or more times a week"),
];

const AUDIT_DRINKS: &[AnswerOption] = &[
    opt(0, "1–2", "1 or 2"),
    opt(1, "3–4", "3 or 4"),
    opt(2, "5–6", "5 or 6"),
    opt(3, "7–9", "7, 8 or 9"),
    opt(4, "10 eller fler", "10 or more"),
];

const AUDIT_HOW_OFTEN: &[AnswerOption] = &[
    opt(0, "Aldrig", "Never"),
    opt(1, "Mer sällan än en gång i månaden", "Less than monthly"),
    opt(2, "Varje månad", "Monthly"),
    opt(3, "Varje vecka", "Weekly"),
    opt(
        4,
        "Dagligen eller nästan varje dag",
        "Daily or almost daily",
    ),
];

const AUDIT_YES_NO: &[AnswerOption] = &[
    opt(0, "Nej", "No"),
    opt(
        2,
        "Ja, men inte under det senaste året",
        "Yes, but not in the last year",
    ),
    opt(4, "Ja, under det senaste året", "Yes, during the last year"),
];

/// AUDIT, WHO 2001, table in §1.1 of the domain notes.
pub const AUDIT: &[Item] = &[
    Item {
        number: 1,
        sv: "Hur ofta dricker du alkohol?",
        en: "How often do you have a drink containing alcohol?",
        options: AUDIT_FREQUENCY,
    },
    Item {
        number: 2,
        sv: "Hur många glas (standardglas) dricker du en typisk dag då du dricker alkohol?",
        en: "How many drinks containing alcohol do you have on a typical day when you are drinking?",
        options: AUDIT_DRINKS,
    },
    Item {
        number: 3,
        sv: "Hur ofta dricker du sex glas (standardglas) eller mer vid samma tillfälle?",
        en: "How often do you have six or more drinks on one occasion?",
        options: AUDIT_HOW_OFTEN,
    },
    Item {
        number: 4,
        sv: "Hur ofta under det senaste året har du inte kunnat sluta dricka sedan du börjat?",
        en: "How often during the last year have you found that you were not able to stop drinking once you had started?",
        options: AUDIT_HOW_OFTEN,
    },
    Item {
        number: 5,
        sv: "Hur ofta under det senaste året har du låtit bli att göra något som du borde ha gjort för att du drack?",
        en: "How often during the last year have you failed to do what was normally expected from you because of drinking?",
        options: AUDIT_HOW_OFTEN,
    },
    Item {
        number: 6,
        sv: "Hur ofta under det senaste året har du behövt en återställare på morgonen efter mycket drickande dagen före?",
        en: "How often during the last year have you needed a first drink in the morning to get yourself going after a heavy drinking session?",
        options: AUDIT_HOW_OFTEN,
    },
    Item {
        number: 7,
        sv: "Hur ofta under det senaste året har du haft skuldkänslor eller samvetsförebråelser på grund av ditt drickande?",
        en: "How often during the last year have you had a feeling of guilt or remorse after drinking?",
        options: AUDIT_HOW_OFTEN,
    },
    Item {
        number: 8,
        sv: "Hur ofta under det senaste året har du inte kunnat komma ihåg vad som hände kvällen före på grund av ditt drickande?",
        en: "How often during the last year have you been unable to remember what happened the night before because you had been drinking?",
        options: AUDIT_HOW_OFTEN,
    },
    Item {
        number: 9,
        sv: "Har du eller någon annan blivit skadad på grund av ditt drickande?",
        en: "Have you or someone else been injured as a result of your drinking?",
        options: AUDIT_YES_NO,
    },
    Item {
        number: 10,
        sv: "Har en släkting eller vän, en läkare eller någon annan inom vården oroat sig över ditt drickande eller föreslagit att du ska minska på det?",
        en: "Has a relative or friend or a doctor or another health worker been concerned about your drinking or suggested you cut down?",
        options: AUDIT_YES_NO,
    },
];

const DUDIT_FREQUENCY: &[AnswerOption] = &[
    opt(0, "Aldrig", "Never"),
    opt(
        1,
        "1 gång i månaden eller mer sällan",
        "Once a month or less often",
    ),
    opt(2, "2–4 gånger i månaden", "2–4 times a month"),
    opt(3, "2–3 gånger i veckan", "2–3 times a week"),
    opt(
        4,
        "4 gånger i veckan eller oftare",
        "4 times a week or more often",
    ),
];

const DUDIT_TIMES: &[AnswerOption] = &[
    opt(0, "0", "0"),
    opt(1, "1–2", "1–2"),
    opt(2, "3–4", "3–4"),
    opt(3, "5–6", "5–6"),
    opt(4, "7 eller fler", "7 or more"),
];

const DUDIT_HOW_OFTEN: &[AnswerOption] = &[
    opt(0, "Aldrig", "Never"),
    opt(
        1,
        "Mer sällan än en gång i månaden",
        "Less often than once a month",
    ),
    opt(2, "Varje månad", "Every month"),
    opt(3, "Varje vecka", "Every week"),
    opt(
        4,
        "Dagligen eller nästan varje dag",
        "Daily or almost every day",
    ),
];

const DUDIT_YES_NO: &[AnswerOption] = &[
    opt(0, "Nej", "No"),
    opt(
        2,
        "Ja, men inte under det senaste året",
        "Yes, but not over the past year",
    ),
    opt(4, "Ja, under det senaste året", "Yes, over the past year"),
];

/// DUDIT, manual v1.0 (2003), table in §2.1 of the domain notes. Item 2 uses item 1's frequency
/// scale, as in the manual's table (another reproduction differs; see docs/assessments.md).
pub const DUDIT: &[Item] = &[
    Item {
        number: 1,
        sv: "Hur ofta använder du andra droger än alkohol?",
        en: "How often do you use drugs other than alcohol?",
        options: DUDIT_FREQUENCY,
    },
    Item {
        number: 2,
        sv: "Använder du fler än en drog vid ett och samma tillfälle?",
        en: "Do you use more than one type of drug on the same occasion?",
        options: DUDIT_FREQUENCY,
    },
    Item {
        number: 3,
        sv: "Hur många gånger tar du droger under en typisk dag då du använder droger?",
        en: "How many times do you take drugs on a typical day when you use drugs?",
        options: DUDIT_TIMES,
    },
    Item {
        number: 4,
        sv: "Hur ofta blir du kraftigt påverkad av droger?",
        en: "How often are you influenced heavily by drugs?",
        options: DUDIT_HOW_OFTEN,
    },
    Item {
        number: 5,
        sv: "Har du under senaste året upplevt att din längtan efter droger varit så stark att du inte kunnat stå emot?",
        en: "Over the past year, have you felt that your longing for drugs was so strong that you could not resist it?",
        options: DUDIT_HOW_OFTEN,
    },
    Item {
        number: 6,
        sv: "Har det hänt att du under senaste året inte kunnat sluta ta droger sedan du börjat?",
        en: "Has it happened, over the past year, that you have not been able to stop taking drugs once you started?",
        options: DUDIT_HOW_OFTEN,
    },
    Item {
        number: 7,
        sv: "Hur ofta under senaste året har du tagit droger och sedan låtit bli att göra något som du borde ha gjort?",
        en: "How often over the past year have you taken drugs and then neglected to do something you should have done?",
        options: DUDIT_HOW_OFTEN,
    },
    Item {
        number: 8,
        sv: "Hur ofta under senaste året har du behövt ta en drog morgonen efter kraftigt drogande dagen före?",
        en: "How often over the past year have you needed to take a drug the morning after heavy drug use the day before?",
        options: DUDIT_HOW_OFTEN,
    },
    Item {
        number: 9,
        sv: "Hur ofta under senaste året har du haft skuldkänslor eller dåligt samvete för att du tagit droger?",
        en: "How often over the past year have you had guilt feelings or a bad conscience because you used drugs?",
        options: DUDIT_HOW_OFTEN,
    },
    Item {
        number: 10,
        sv: "Har du eller någon annan blivit skadad (psykiskt eller fysiskt) för att du tagit droger?",
        en: "Have you or anyone else been hurt (mentally or physically) because you used drugs?",
        options: DUDIT_YES_NO,
    },
    Item {
        number: 11,
        sv: "Har en släkting eller vän, en läkare eller sjuksköterska, eller någon annan, varit orolig över ditt drogande eller sagt till dig att du borde sluta med droger?",
        en: "Has a relative or a friend, a doctor or a nurse, or anyone else, been worried about your drug use or said to you that you should stop using drugs?",
        options: DUDIT_YES_NO,
    },
];

/// The items of an instrument.
pub fn items(instrument: Instrument) -> &'static [Item] {
    match instrument {
        Instrument::Audit => AUDIT,
        Instrument::Dudit => DUDIT,
    }
}
